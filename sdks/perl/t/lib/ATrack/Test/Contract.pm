package ATrack::Test::Contract;

# One case of the contract suite (sdks/contract/README.md), played with the Perl SDK.
# play() dies with "step N (name): why" at the first step that fails.

use strict;
use warnings;

use B ();
use HTTP::Tiny ();
use JSON::PP ();
use Scalar::Util qw(blessed);
use Time::HiRes ();

use ATrack::Client;
use ATrack::Test::Live qw(new_uuid);

our $INVALID_KEY = 'atk_pub_0000000000000000000000000000000000000000';
my %TARGETS = (service => 'endpoint', limited => 'limited_endpoint', proxy => 'proxy_endpoint');
my $JSON = JSON::PP->new->utf8->canonical;
my $TIMESTAMP = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

sub new {
    my ($class, $path, $service) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    my $spec = $JSON->decode(do { local $/; <$fh> });
    return bless { spec => $spec, service => $service, uuids => {}, vars => {} }, $class;
}

sub play {
    my ($self) = @_;
    my $index = 0;
    for my $raw (@{ $self->{spec}{steps} }) {
        $index++;
        my $step = $self->_fill($raw);
        my $ok = eval { $self->_play_step($step); 1 };
        die "step $index ($step->{name}): $@" unless $ok;
    }
    return 1;
}

sub _fill {
    my ($self, $value) = @_;
    return { map { $self->_fill($_) => $self->_fill($value->{$_}) } keys %$value } if ref $value eq 'HASH';
    return [map { $self->_fill($_) } @$value] if ref $value eq 'ARRAY';
    return $value if ref $value || !defined $value || _is_number($value);
    (my $filled = $value) =~ s/\{\{(\w+)(?::([^}]*))?\}\}/$self->_placeholder($1, $2)/ge;
    return $filled;
}

sub _placeholder {
    my ($self, $name, $argument) = @_;
    return $self->{uuids}{$argument} //= new_uuid() if $name eq 'uuid';
    return uc($self->{uuids}{$argument} //= new_uuid()) if $name eq 'UUID';
    return $self->{vars}{$argument} if $name eq 'var';
    return 'x' x $argument if $name eq 'pad';
    return $INVALID_KEY if $name eq 'invalid_key';
    return $self->{service}{$name};
}

sub _play_step {
    my ($self, $step) = @_;
    my $endpoint = $self->{service}{ $TARGETS{ $step->{target} || 'service' } };
    _post($self->{service}{fault_url}, $JSON->encode($step->{fault}), { 'content-type' => 'application/json' })
        if $step->{fault};
    my $expect = $step->{expect};
    my ($status, $body, $headers, $elapsed_ms);
    for (1 .. ($step->{attempts} || 1)) {
        my $started = Time::HiRes::time();
        ($status, $body, $headers) = $step->{http} ? _http($endpoint, $step->{http}) : $self->_call($endpoint, $step);
        $elapsed_ms = (Time::HiRes::time() - $started) * 1000;
        last if $status == $expect->{status};
    }
    _check($expect, $status, $body, $headers, $elapsed_ms, !!$step->{call});
    for my $name (keys %{ $step->{save} || {} }) {
        $self->{vars}{$name} = _dig($body, $step->{save}{$name});
    }
}

sub _http {
    my ($endpoint, $request) = @_;
    my $content = defined $request->{raw_body} ? $request->{raw_body} : $JSON->encode($request->{body});
    return _post($endpoint . $request->{path}, $content, $request->{headers} || {});
}

sub _call {
    my ($self, $endpoint, $step) = @_;
    my $key = $step->{key} || 'both';
    my $client = ATrack::Client->new(
        public_key  => $key eq 'invalid' ? $INVALID_KEY : $self->{service}{public_key},
        ($key eq 'both' ? (secret_key => $self->{service}{secret_key}) : ()),
        endpoint    => $endpoint,
        max_retries => $step->{retries} // 3,
    );
    my ($op, $args) = ($step->{call}{op}, { %{ $step->{call}{args} || {} } });
    my $result = eval {
        return $client->init($args->{payload}) if $op eq 'init';
        return $client->track($args->{payload}) if $op eq 'track';
        return $client->batch($args->{items}) if $op eq 'batch';
        return $client->set_attributes($args->{attributes}, $args->{replace}, $args->{uuid}) if $op eq 'set_attributes';
        return $client->session_show(delete $args->{uuid}, %$args) if $op eq 'session_show';
        return $client->event_show(delete $args->{name}, %$args) if $op eq 'event_show';
        return $client->delete_session($args->{uuid}) if $op eq 'delete_session';
        die "unknown op $op\n";
    };
    if (my $error = $@) {
        die $error unless blessed $error && $error->isa('ATrack::Error');
        return ($error->status || 0, { code => $error->code, fields => $error->fields, retry_after => $error->retry_after }, {});
    }
    return (200, $result, {});
}

# A raw POST with HTTP::Tiny: only the listed headers (and Host, Content-Length).
sub _post {
    my ($url, $content, $headers) = @_;
    my $response = HTTP::Tiny->new(timeout => 30)->request('POST', $url, { headers => $headers, content => $content });
    die "no answer from $url: $response->{content}" if $response->{status} == 599;
    my $body = length($response->{content} // '') ? eval { $JSON->decode($response->{content}) } : undef;
    my %received = map { my $v = $response->{headers}{$_}; ($_ => ref $v ? $v->[0] : $v) } keys %{ $response->{headers} };
    return ($response->{status}, $body, \%received);
}

sub _dig {
    my ($body, $path) = @_;
    $body = ref $body eq 'ARRAY' ? $body->[$_] : $body->{$_} for split /\./, $path;
    return $body;
}

sub _check {
    my ($expect, $status, $body, $headers, $elapsed_ms, $is_call) = @_;
    my $wanted = $expect->{status};
    my $shown = eval { $JSON->encode($body) } // 'null';
    if ($is_call && $wanted >= 200 && $wanted < 300) {
        _assert($status == 200, "expected success, got $status $shown");
    }
    else {
        _assert($status == $wanted, "expected HTTP $wanted, got $status $shown");
    }
    if (defined $expect->{error}) {
        my $code = $is_call ? $body->{code} : $body->{error}{code};
        _assert(defined $code && $code eq $expect->{error}, "expected error $expect->{error}, got " . ($code // 'none'));
    }
    for my $name (@{ $expect->{fields} || [] }) {
        my $fields = ($is_call ? $body->{fields} : $body->{error}{fields}) || {};
        _assert(exists $fields->{$name}, "expected a message for field $name, got " . $JSON->encode($fields));
    }
    _assert(defined $body->{retry_after}, 'expected retry_after on the error') if $expect->{retry_after};
    for my $name (sort keys %{ $expect->{headers} || {} }) {
        _assert(exists $headers->{$name}, "expected header $name, got " . join(', ', sort keys %$headers));
        _match($expect->{headers}{$name}, $headers->{$name}, "header $name");
    }
    _match($expect->{json}, $body, 'body') if exists $expect->{json};
    my $least = $expect->{min_elapsed_ms} || 0;
    _assert($elapsed_ms >= $least, sprintf('took only %.0f ms, not %d', $elapsed_ms, $least));
}

# A number as JSON::PP sees one: numeric flags and no string value (see JSON::PP's value_to_json).
sub _is_number {
    my ($value) = @_;
    return 0 if !defined $value || ref $value;
    my $flags = B::svref_2object(\$value)->FLAGS;
    return ($flags & (B::SVp_IOK() | B::SVp_NOK())) && !($flags & B::SVp_POK()) ? 1 : 0;
}

sub _is_bool { blessed $_[0] && $_[0]->isa('JSON::PP::Boolean') }

my %MATCHERS = (
    '<any>'       => sub { 1 },
    '<string>'    => sub { defined $_[0] && !ref $_[0] && !_is_number($_[0]) },
    '<int>'       => sub { _is_number($_[0]) && do { my $copy = $_[0]; "$copy" =~ /^-?\d+$/ } },
    '<number>'    => sub { _is_number($_[0]) },
    '<uuid>'      => sub { defined $_[0] && !ref $_[0] && $_[0] =~ $UUID },
    '<timestamp>' => sub { defined $_[0] && !ref $_[0] && $_[0] =~ $TIMESTAMP },
);

sub _match {
    my ($expected, $actual, $where) = @_;
    # Flags first: using a value as a hash key or in a string gives it a string value.
    my ($number_expected, $number_actual) = (_is_number($expected), _is_number($actual));
    my $got = eval { JSON::PP->new->canonical->allow_nonref->encode($actual) } // 'undef';
    if (!$number_expected && defined $expected && !ref $expected && exists $MATCHERS{$expected}) {
        return if $expected eq '<int>' && $where =~ /^header/ && defined $actual && $actual =~ /^\d+$/;
        _assert($MATCHERS{$expected}->($actual), "$where: $got is not $expected");
    }
    elsif (ref $expected eq 'HASH') {
        _assert(ref $actual eq 'HASH', "$where: expected an object, got $got");
        for my $key (sort keys %$expected) {
            my $value = $expected->{$key};    # a copy: comparing it as a string leaves the original a number
            if (defined $value && !ref $value && $value eq '<absent>') {
                _assert(!exists $actual->{$key}, "$where.$key should be absent");
                next;
            }
            _assert(exists $actual->{$key}, "$where.$key is missing (have " . join(', ', sort keys %$actual) . ')');
            _match($expected->{$key}, $actual->{$key}, "$where.$key");
        }
    }
    elsif (ref $expected eq 'ARRAY') {
        _assert(ref $actual eq 'ARRAY', "$where: expected an array, got $got");
        _assert(@$actual == @$expected, "$where: " . scalar(@$actual) . ' items, not ' . scalar(@$expected));
        _match($expected->[$_], $actual->[$_], "$where\[$_\]") for 0 .. $#$expected;
    }
    elsif (_is_bool($expected)) {
        _assert(_is_bool($actual) && !!$actual == !!$expected, "$where: $got is not " . ($expected ? 'true' : 'false'));
    }
    elsif (!defined $expected) {
        _assert(!defined $actual, "$where: $got is not null");
    }
    elsif ($number_expected) {
        _assert($number_actual && $actual == $expected, "$where: $got != $expected");
    }
    elsif ($where =~ /^header/) {
        (my $value = $actual // '') =~ s/\s*;.*//s;
        _assert($value eq $expected, "$where: $got != $expected");
    }
    else {
        _assert(defined $actual && !ref $actual && !$number_actual && $actual eq $expected, "$where: $got != \"$expected\"");
    }
}

sub _assert {
    my ($condition, $message) = @_;
    die "$message\n" unless $condition;
}

1;
