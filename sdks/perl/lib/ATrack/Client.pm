package ATrack::Client;

use strict;
use warnings;

use B ();
use HTTP::Tiny ();
use JSON::PP ();
use POSIX ();
use Scalar::Util qw(blessed refaddr weaken);
use Time::HiRes ();
use Time::Local ();

use ATrack::Error;

our $VERSION = '0.1.0';

use constant {
    MAX_BATCH_ITEMS => 100,
    MAX_BATCH_BYTES => 500 * 1024,    # the service takes 512 KiB per /batch
};

my $JSON = JSON::PP->new->utf8->canonical;

my %DEFAULTS = (
    public_key      => undef,
    secret_key      => undef,
    endpoint        => undef,
    timeout         => 10,
    max_retries     => 3,
    backoff_factor  => 0.5,
    backoff_max     => 30,
    max_retry_after => 300,
    synchronous     => 0,
    uuid            => undef,
    batching        => 0,
    batch_size      => 50,
    max_queue_size  => 10_000,
    on_error        => undef,
    http            => undef,
    user_agent      => "atrack-sdk-perl/$VERSION",
    sleep           => \&Time::HiRes::sleep,
);

# Clients with queued writes, flushed by the END block (weak references).
my %LIVE;

sub new {
    my ($class, %options) = @_;
    my @unknown = grep { !exists $DEFAULTS{$_} } sort keys %options;
    _config_error('unknown_option', "unknown option(s): @unknown") if @unknown;
    my %self = (%DEFAULTS, %options);
    my $endpoint = defined $self{endpoint} ? $self{endpoint} : $ENV{ATRACK_ENDPOINT};
    _config_error('missing_endpoint',
        'endpoint is required (or set ATRACK_ENDPOINT): the base URL of the A-TRACK service')
        unless defined $endpoint && length $endpoint;
    _config_error('invalid_endpoint', "endpoint must be an http(s) URL, not '$endpoint'")
        unless $endpoint =~ m{\Ahttps?://[^/\s]+}i;
    _config_error('missing_key', 'public_key (or secret_key) is required')
        unless $self{public_key} || $self{secret_key};
    my $self = bless \%self, $class;    # blessed once valid: DESTROY sees whole objects only
    $endpoint =~ s{/+\z}{};
    $self->{endpoint}   = $endpoint;
    $self->{uuid}       = lc $self->{uuid} if defined $self->{uuid};
    $self->{batch_size} = _clamp($self->{batch_size}, 1, MAX_BATCH_ITEMS);
    $self->{http} ||= HTTP::Tiny->new(
        timeout    => $self->{timeout},
        agent      => $self->{user_agent},
        keep_alive => 1,
        verify_SSL => 1,
    );
    $self->{queue} = [];
    $self->{pid}   = $$;
    if ($self->{batching}) {
        $LIVE{ refaddr $self } = $self;
        weaken $LIVE{ refaddr $self };
    }
    return $self;
}

# ---------------------------------------------------------------- identity

sub get_user_uuid { $_[0]{uuid} }

sub set_user_uuid {
    my ($self, $uuid) = @_;
    $self->{uuid} = defined $uuid ? lc $uuid : undef;
    return;
}

# ---------------------------------------------------------------- writes

sub init {
    my ($self, $payload) = @_;
    my %body = %{ $payload || {} };
    # A UUID made here keeps a retried init one session.
    $body{uuid} = _uuid4() unless defined $body{uuid} && length $body{uuid};
    $self->{uuid} = lc $body{uuid};
    my $result = $self->_write('init', \%body);
    $self->{uuid} = $result->{uuid} if defined $result->{uuid} && !ref $result->{uuid};
    return $result;
}

sub set_attributes {
    my ($self, $attributes, $replace, $uuid) = @_;
    my $body = {
        uuid       => $self->_uuid_for($uuid),
        attributes => $attributes || {},
        replace    => $replace ? JSON::PP::true : JSON::PP::false,
    };
    return $self->_write('attributes', $body);
}

sub track {
    my ($self, $payload, $attributes, $uuid) = @_;
    my %body;
    if (ref $payload eq 'HASH') {
        %body = %$payload;
    }
    else {
        %body = (event => $payload);
        $body{attributes} = $attributes if defined $attributes;
        $body{uuid}       = $uuid       if defined $uuid;
    }
    $body{uuid} = $self->_uuid_for($body{uuid});
    $body{timestamp} = _now_iso() unless defined $body{timestamp};
    # The service stores one event per id: a retried or re-sent event is stored once.
    $body{id} = _uuid4() unless defined $body{id};
    return $self->_write('event', \%body);
}

sub batch {
    my ($self, $items) = @_;
    my @entries = map { +{%$_} } @$items;
    for my $entry (grep { ($_->{type} || '') eq 'event' } @entries) {
        $entry->{id} = _uuid4() unless defined $entry->{id};    # a re-sent batch stores each event once
    }
    my $body = { batch => \@entries };
    $body->{synchronous} = JSON::PP::true if $self->{synchronous};
    my $fresh = sub {
        $_->{sent_at} = _now_iso() for grep { ($_->{type} || '') eq 'event' } @entries;
        return $body;
    };
    return $self->_post('/batch', $fresh, $self->_write_key);
}

# ---------------------------------------------------------------- reads (secret key)

sub session_show {
    my ($self, $uuid, %options) = @_;
    return $self->_read('/session/show', {
        uuid         => $self->_uuid_for($uuid),
        events_limit => _number($options{events_limit}),
        sort         => $options{sort},
    });
}

sub event_show {
    my ($self, $name, %options) = @_;
    return $self->_read('/event/show', {
        name     => $name,
        page     => _number($options{page}),
        per_page => _number($options{per_page}),
        map { $_ => $options{$_} } qw(sort uuid from to),
    });
}

sub delete_session {
    my ($self, $uuid) = @_;
    return $self->_read('/session/delete', { uuid => $self->_uuid_for($uuid) });
}

# ---------------------------------------------------------------- batching

sub pending { scalar @{ $_[0]{queue} } }

sub flush {
    my ($self) = @_;
    my %summary = (sent => 0, failed => 0);
    while (my @chunk = $self->_next_chunk) {
        my $answer = eval { $self->batch(\@chunk) };
        if (my $error = $@) {
            $self->_batch_failed($error, \@chunk, \%summary);
            next;
        }
        my @results = ref $answer->{results} eq 'ARRAY' ? @{ $answer->{results} } : ();
        for my $i (0 .. $#chunk) {
            my $result = $results[$i];
            if (ref $result eq 'HASH' && !$result->{success}) {
                $summary{failed}++;
                $self->_report(ATrack::Error->from_response(400, $result), $chunk[$i]);
            }
            else {
                $summary{sent}++;
            }
        }
    }
    return \%summary;
}

sub close {    ## no critic (ProhibitBuiltinHomonyms)
    my ($self) = @_;
    delete $LIVE{ refaddr $self };
    return if !@{ $self->{queue} } || $self->{pid} != $$;
    my $ok = eval { $self->flush; 1 };
    if (!$ok) {
        my $error = $@;
        $self->_report($error, $_) for splice @{ $self->{queue} };
    }
    return;
}

sub DESTROY {
    my ($self) = @_;
    return if ${^GLOBAL_PHASE} eq 'DESTRUCT';
    local ($@, $!, $?);
    $self->close;
    return;
}

END {
    local ($@, $!, $?);
    for my $client (grep { defined } values %LIVE) {
        $client->close;
    }
}

# ---------------------------------------------------------------- internals

sub _config_error {
    my ($code, $message) = @_;
    ATrack::Error::Configuration->throw(code => $code, message => $message);
}

sub _clamp {
    my ($value, $low, $high) = @_;
    return $value < $low ? $low : $value > $high ? $high : int $value;
}

sub _number { defined $_[0] ? 0 + $_[0] : undef }

sub _write_key { $_[0]{public_key} || $_[0]{secret_key} }
sub _read_key  { $_[0]{secret_key} || $_[0]{public_key} }

sub _uuid_for {
    my ($self, $uuid) = @_;
    $uuid = $self->{uuid} unless defined $uuid && length $uuid;
    return $uuid if defined $uuid;
    ATrack::Error::Validation->throw(
        code    => 'invalid_payload',
        message => 'No session UUID: pass one or call init first.',
        fields  => { uuid => ['This field is required.'] },
    );
}

sub _write {
    my ($self, $kind, $body) = @_;
    $body->{synchronous} = JSON::PP::true if $self->{synchronous} && !exists $body->{synchronous};
    return $self->_enqueue($kind, $body) if $self->{batching};
    my $fresh = sub {
        $body->{sent_at} = _now_iso() if $kind eq 'event';    # lets the service correct clock skew
        return $body;
    };
    return $self->_post("/$kind", $fresh, $self->_write_key);
}

sub _read {
    my ($self, $path, $body) = @_;
    $self->flush if @{ $self->{queue} };    # read what was written
    my %clean = map { $_ => $body->{$_} } grep { defined $body->{$_} } keys %$body;
    return $self->_post($path, sub { \%clean }, $self->_read_key);
}

sub _enqueue {
    my ($self, $kind, $body) = @_;
    my $queue = $self->{queue};
    my $item = { type => $kind, %$body };
    _json($item);    # refused now, not with the batch it would spoil
    push @$queue, $item;
    if (@$queue > $self->{max_queue_size}) {
        my $dropped = shift @$queue;
        $self->_report(
            ATrack::Error::QueueFull->new(
                code    => 'queue_full',
                message => 'The A-TRACK queue is full; the oldest write was dropped.',
            ),
            $dropped
        );
    }
    if (@$queue >= $self->{batch_size}) {
        my $ok = eval { $self->flush; 1 };
        $self->_report($@, undef) unless $ok;    # the writes stay queued for the next flush
    }
    return { success => JSON::PP::true, uuid => $body->{uuid}, queued => JSON::PP::true };
}

# The oldest queued items that fit one /batch (count and size).
sub _next_chunk {
    my ($self) = @_;
    my $queue = $self->{queue};
    my ($count, $bytes) = (0, 0);
    while ($count < @$queue && $count < $self->{batch_size}) {
        my $size = length _json($queue->[$count]);
        last if $count && $bytes + $size > MAX_BATCH_BYTES * 0.8;
        $bytes += $size;
        $count++;
    }
    return splice @$queue, 0, $count;
}

# A transient failure puts the chunk back and rethrows; a refusal drops and reports it.
sub _batch_failed {
    my ($self, $error, $chunk, $summary) = @_;
    if (blessed $error && $error->isa('ATrack::Error::PayloadTooLarge') && @$chunk > 1) {
        $self->{batch_size} = _clamp(@$chunk / 2, 1, MAX_BATCH_ITEMS);
        unshift @{ $self->{queue} }, @$chunk;    # sent again in smaller batches
        return;
    }
    if (!blessed $error || _transient($error)) {
        unshift @{ $self->{queue} }, @$chunk;
        die $error;
    }
    $summary->{failed} += @$chunk;
    $self->_report($error, $_) for @$chunk;
    return;
}

sub _transient {
    my ($error) = @_;
    return 1 if $error->isa('ATrack::Error::Transport');
    my $status = $error->status;
    return defined $status && ($status == 408 || $status == 429 || $status >= 500);
}

sub _report {
    my ($self, $error, $item) = @_;
    if ($self->{on_error}) {
        my $ok = eval { $self->{on_error}->($error, $item); 1 };
        warn "A-TRACK on_error callback failed: $@" unless $ok;
        return;
    }
    my $what = ref $item eq 'HASH' && $item->{type} ? " ($item->{type})" : '';
    warn "A-TRACK write failed$what: $error\n";
    return;
}

sub _delay {
    my ($self, $attempt, $retry_after) = @_;
    if (defined $retry_after) {
        return $retry_after < $self->{max_retry_after} ? $retry_after : $self->{max_retry_after};
    }
    my $ceiling = $self->{backoff_factor} * 2**($attempt - 1);
    $ceiling = $self->{backoff_max} if $ceiling > $self->{backoff_max};
    return $ceiling / 2 + rand($ceiling / 2);
}

# POST with retries on network errors, timeouts, 408, 429 and 5xx.
sub _post {
    my ($self, $path, $body_for, $key) = @_;
    my $attempt = 0;
    while (1) {
        $attempt++;
        my ($status, $data, $retry_after, $error) = $self->_send($path, $body_for->(), $key);
        return ref $data eq 'HASH' ? $data : { success => JSON::PP::true }
            if !$error && $status >= 200 && $status < 300;
        $error ||= ATrack::Error->from_response($status, $data, $retry_after);
        die $error if !_transient($error) || $attempt > $self->{max_retries};
        $self->{sleep}->($self->_delay($attempt, $retry_after));
    }
}

# One attempt: (status, decoded body, Retry-After seconds, transport error).
# JSON has no NaN or Infinity: JSON::PP would write them as bare words the service refuses.
sub _json {
    my ($body) = @_;
    my @pending = ($body);
    while (@pending) {
        my $value = shift @pending;
        if (ref $value eq 'HASH') { push @pending, values %$value; next }
        if (ref $value eq 'ARRAY') { push @pending, @$value; next }
        next if ref $value || !defined $value;
        my $flags = B::svref_2object(\$value)->FLAGS;
        next if $flags & B::SVp_POK() || !($flags & B::SVp_NOK());
        ATrack::Error::Validation->throw(code => 'invalid_payload', message => "Not JSON: the number $value")
            if $value != $value || $value * 0 != 0;
    }
    my $content = eval { $JSON->encode($body) };
    ATrack::Error::Validation->throw(code => 'invalid_payload', message => "Not JSON: $@")
        unless defined $content;
    return $content;
}

sub _send {
    my ($self, $path, $body, $key) = @_;
    my $content = _json($body);
    my %request = (
        headers => {
            'content-type'  => 'application/json',
            'accept'        => 'application/json',
            'x-a-track-key' => $key,
            'user-agent'    => $self->{user_agent},
        },
        content => $content,
    );
    # An injected client may die where HTTP::Tiny answers 599.
    my $response = eval { $self->{http}->request('POST', $self->{endpoint} . $path, \%request) }
        || { status => 599, content => $@ || 'the HTTP client failed' };
    my $status = $response->{status} || 599;
    if ($status == 599) {
        my $reason = $response->{content} || $response->{reason} || 'no answer';
        $reason =~ s/\s+\z//;
        my $timeout = $reason =~ /timed? ?out/i;
        my $class = $timeout ? 'ATrack::Error::Timeout' : 'ATrack::Error::Transport';
        return (undef, undef, undef, $class->new(
            code    => $timeout ? 'timeout' : 'network_error',
            message => "A-TRACK request failed: $reason",
        ));
    }
    my $data = length($response->{content} || '') ? eval { $JSON->decode($response->{content}) } : undef;
    my $headers = $response->{headers} || {};
    return ($status, $data, _retry_after($headers->{'retry-after'}), undef);
}

my %MONTHS = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5,
              Jul => 6, Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);

# Retry-After as seconds: delta seconds or an HTTP date.
sub _retry_after {
    my ($value) = @_;
    return undef unless defined $value;
    $value = $value->[0] if ref $value eq 'ARRAY';
    return 0 + $value if $value =~ /\A\s*\d+(?:\.\d+)?\s*\z/;
    my ($day, $mon, $year, $h, $m, $s) =
        $value =~ /\A\w{3}, (\d{1,2}) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT\z/
        or return undef;
    return undef unless exists $MONTHS{$mon};
    my $at = eval { Time::Local::timegm($s, $m, $h, $day, $MONTHS{$mon}, $year) };
    return undef unless defined $at;
    my $wait = $at - time;
    return $wait > 0 ? $wait : 0;
}

sub _now_iso {
    my ($seconds, $micro) = Time::HiRes::gettimeofday();
    return POSIX::strftime('%Y-%m-%dT%H:%M:%S', gmtime $seconds) . sprintf('.%06dZ', $micro);
}

sub _uuid4 {
    my $bytes = '';
    if (open my $fh, '<:raw', '/dev/urandom') {
        read $fh, $bytes, 16;
        CORE::close $fh;
    }
    $bytes = join '', map { chr int rand 256 } 1 .. 16 if length $bytes != 16;
    my @b = unpack 'C16', $bytes;
    $b[6] = ($b[6] & 0x0f) | 0x40;
    $b[8] = ($b[8] & 0x3f) | 0x80;
    return sprintf '%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x', @b;
}

1;

__END__

=head1 NAME

ATrack::Client - the A-TRACK HTTP API for Perl: sessions, attributes, events

=head1 SYNOPSIS

  use ATrack::Client;

  my $sdk = ATrack::Client->new(
    public_key => 'atk_pub_...',
    secret_key => 'atk_sec_...',              # only for reads and erasure
    endpoint   => 'https://track.example.com', # or $ENV{ATRACK_ENDPOINT}
  );

  my $init_result = $sdk->init({
    context => {
      url    => { href => $full_url, raw => $raw_url },
      client => { ipAddress => $ip, userAgent => $user_agent },
    },
  });
  my $uuid = $init_result->{uuid};

  $sdk->set_attributes({ plan => 'pro' }, 0);   # the session of the last init
  $sdk->track({
    uuid       => $uuid,
    event      => 'checkout_started',
    attributes => { cart_value => 129.99, currency => 'USD' },
  });

  my $session = $sdk->session_show($uuid)->{data}{session};

=head1 DESCRIPTION

A client of one A-TRACK project, using only core modules (L<HTTP::Tiny>, L<JSON::PP>).
Every call is one C<POST> that returns the service's decoded JSON answer as a hash
reference, or throws an L<ATrack::Error>.

Every call is retried on network errors, timeouts, 408, 429 and 5xx, with exponential
back-off and jitter, or after C<Retry-After> when the service sends one. Retries never
duplicate anything: C<init> without a C<uuid> makes one here, and every event carries an
C<id> made when C<track> is called (the service stores one event per id).

=head1 CONSTRUCTOR

=head2 new(%options)

=over

=item public_key

The project's public key, used for writes. Either this or C<secret_key> is required.

=item secret_key

The project's secret key, used for C<session_show>, C<event_show> and C<delete_session>
(and for writes when there is no public key). Keep it on servers.

=item endpoint

The service's base URL. Defaults to C<$ENV{ATRACK_ENDPOINT}>; with neither,
C<new> throws an L<ATrack::Error::Configuration> (code C<missing_endpoint>).

=item timeout

Seconds (default 10) to wait on the connection at each step, as L<HTTP::Tiny> counts it.

=item max_retries, backoff_factor, backoff_max, max_retry_after

At most C<max_retries> (default 3) retries after the first attempt. The wait before retry
I<n> is C<backoff_factor> (0.5) x 2^(n-1) seconds, half fixed and half random, at most
C<backoff_max> (30); when the service sends C<Retry-After> that is the wait, at most
C<max_retry_after> (300).

=item synchronous

True adds C<"synchronous": true> to every write: the service processes it in the request
rather than queueing it.

=item uuid

The session UUID used by calls that name none, until the next C<init>.

=item batching, batch_size, max_queue_size, on_error

With C<batching> true, writes are queued in memory and return
C<< {success => 1, uuid => ..., queued => 1} >> at once. The queue is sent through
C<POST /batch> when it holds C<batch_size> (default 50, at most 100) items, on C<flush>,
before any read, on C<close>, when the client is destroyed and at program exit (an
C<END> block; not in a forked child that did not create the client). Beyond
C<max_queue_size> (10,000) the oldest item is dropped. Writes the service refuses, and
anything that fails where no caller can be told (an automatic flush, destruction), go
to C<< on_error->($error, $item) >>, or to C<warn> when there is no C<on_error>.

=item http

An object with L<HTTP::Tiny>'s C<request($method, $url, \%options)> method and
answers, used instead of the default C<HTTP::Tiny> (a proxy-aware or mocked one, say).
HTTPS with the default needs L<IO::Socket::SSL>.

=item user_agent

Default C<atrack-sdk-perl/0.1.0>.

=back

=head1 METHODS

=head2 init(\%payload)

C<POST /init>: create or continue a session. Fields as in the documentation's Init
Context Reference: C<uuid>, C<< context => { url => {...}, client => {...}, user => {
attributes => {...} } } >>, C<custom_data>, C<synchronous>. Returns
C<< { success, uuid, queued } >>; C<get_user_uuid> returns that UUID afterwards.

=head2 set_attributes(\%attributes, $replace, $uuid)

C<POST /attributes>: merge the attributes into the session (with C<$replace> true,
replace the whole set). C<$uuid> defaults to the UUID of the last C<init>.

=head2 track(\%payload) or track($event, \%attributes, $uuid)

C<POST /event> with C<uuid>, C<event>, C<attributes> and optionally C<timestamp>,
C<context> and C<id>. The SDK adds C<id>, C<timestamp> (now) and, at each attempt,
C<sent_at>, so that the service corrects a wrong clock.

=head2 batch(\@items)

C<POST /batch> with items C<< { type => 'init' | 'attributes' | 'event', ... } >> (at
most 100). Event items without an C<id> get one, so that a retried batch stores them
once. Returns the service's answer with a result per item.

=head1 JSON VALUES

Perl scalars go out as JSON the way L<JSON::PP> sees them: a value that was last used
as a string (read from a form, say, or interpolated) is sent as a string. Use C<0 + $x>
for a number and C<\1> / C<\0> or C<JSON::PP::true> / C<false> for booleans. NaN and
infinities have no JSON form: a call holding one throws an L<ATrack::Error::Validation>
before anything is sent or queued.

=head2 flush

Sends every queued write (batching). Returns C<< { sent => $n, failed => $m } >>. Items
the service refuses are counted as failed and reported to C<on_error>. On a failure that
outlasts the retries (no answer, 408, 429, 5xx) the unsent items stay queued and the
error is thrown.

=head2 pending

The number of queued writes.

=head2 close

Flushes, reporting any failure to C<on_error>. Called when the client is destroyed.

=head2 session_show($uuid, events_limit => $n, sort => 'asc' | 'desc')

C<POST /session/show> (secret key): the enriched session with its attributes and events.

=head2 event_show($name, page => , per_page => , sort => , uuid => , from => , to => )

C<POST /event/show> (secret key): one page of the events called C<$name>.

=head2 delete_session($uuid)

C<POST /session/delete> (secret key): erase the session, its attributes and events.

=head2 get_user_uuid, set_user_uuid($uuid)

The UUID used by calls that name none.

=head1 ERRORS

See L<ATrack::Error>: every failure is an object with C<code>, C<message>, C<fields>,
C<status> and C<retry_after>.

=head1 SEE ALSO

C<docs/api.md> and C<docs/sdks.md> in the A-TRACK repository.

=cut
