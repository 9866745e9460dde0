use strict;
use warnings;

# The client's behaviour against a scripted HTTP object: no network.

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Scalar::Util qw(blessed);
use POSIX ();

use ATrack::Client;
use ATrack::Test::FakeHTTP;

my $UUID = 'b19412c6-6a91-4e18-890d-e2269a0d1249';
my $UUID_RE = qr/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

my ($http, @slept);

sub client {
    my (%options) = @_;
    $http = ATrack::Test::FakeHTTP->new;
    @slept = ();
    return ATrack::Client->new(
        public_key => 'atk_pub_test',
        secret_key => 'atk_sec_test',
        endpoint   => 'http://track.test/',
        http       => $http,
        sleep      => sub { push @slept, $_[0] },
        %options,
    );
}

sub F { 'ATrack::Test::FakeHTTP' }

sub error_of (&) {
    my ($code) = @_;
    my $ok = eval { $code->(); 1 };
    return $ok ? undef : $@;
}

subtest 'the endpoint comes from ATRACK_ENDPOINT when not given' => sub {
    local $ENV{ATRACK_ENDPOINT} = 'http://from-env.test';
    my $fake = F->new;
    ATrack::Client->new(public_key => 'k', http => $fake)->init;
    is(($fake->requests)[0]{url}, 'http://from-env.test/init');
};

subtest 'a missing endpoint is a clear configuration error' => sub {
    local $ENV{ATRACK_ENDPOINT};
    delete $ENV{ATRACK_ENDPOINT};
    my $error = error_of { ATrack::Client->new(public_key => 'k') };
    isa_ok($error, 'ATrack::Error::Configuration');
    is($error->code, 'missing_endpoint');
    like("$error", qr/ATRACK_ENDPOINT/);
};

subtest 'bad options are refused' => sub {
    for my $case (
        [{ endpoint => 'ftp://x', public_key => 'k' }, 'invalid_endpoint'],
        [{ endpoint => 'http://x' }, 'missing_key'],
        [{ endpoint => 'http://x', public_key => 'k', publickey => 'typo' }, 'unknown_option'],
    ) {
        my $error = error_of { ATrack::Client->new(%{ $case->[0] }) };
        is(blessed($error) && $error->code, $case->[1], $case->[1]);
    }
};

subtest 'writes send the public key and the sdk user agent' => sub {
    client()->init({ uuid => $UUID });
    my $headers = ($http->requests)[0]{headers};
    is($headers->{'x-a-track-key'}, 'atk_pub_test');
    is($headers->{'user-agent'}, "atrack-sdk-perl/$ATrack::Client::VERSION");
    like($headers->{'user-agent'}, qr{^atrack-sdk-perl/\d+\.\d+\.\d+$});
    is($headers->{'content-type'}, 'application/json');
};

subtest 'init without a uuid makes one and keeps it across retries' => sub {
    my $sdk = client();
    $http->then(F->transport_error('Could not connect: Connection refused'), F->ok_answer('placeholder'));
    $sdk->init({ context => { url => { href => 'https://a-track.io/' } } });
    my ($first, $second) = $http->requests;
    like($first->{body}{uuid}, $UUID_RE);
    is($second->{body}{uuid}, $first->{body}{uuid});
    is($sdk->get_user_uuid, 'placeholder', "the service's answer wins");
};

subtest 'set_attributes uses the uuid of the last init and sends replace as a boolean' => sub {
    my $sdk = client();
    $sdk->init({ uuid => $UUID });
    $sdk->set_attributes({ plan => 'pro' }, 0);
    $sdk->set_attributes({}, 1, 'c0ffee00-0000-4000-8000-000000000000');
    my @requests = $http->requests;
    is_deeply($requests[1]{body}, { uuid => $UUID, attributes => { plan => 'pro' }, replace => JSON::PP::false });
    like($requests[1]{raw}, qr/"replace":false/);
    like($requests[2]{raw}, qr/"attributes":\{\}.*"replace":true/);
};

subtest 'a write without any uuid is refused before sending' => sub {
    my $sdk = client();
    my $error = error_of { $sdk->set_attributes({ plan => 'pro' }) };
    isa_ok($error, 'ATrack::Error::Validation');
    is_deeply($error->fields, { uuid => ['This field is required.'] });
    is(scalar $http->requests, 0);
};

subtest 'track adds an id and timestamp that retries keep, and a fresh sent_at' => sub {
    my $sdk = client();
    $http->then(F->error(503, 'unavailable', {}, { 'retry-after' => '0' }), F->ok_answer);
    $sdk->track({ uuid => $UUID, event => 'checkout_started', attributes => { cart_value => 129.99 } });
    my ($first, $second) = map { $_->{body} } $http->requests;
    like($first->{id}, $UUID_RE);
    is($second->{id}, $first->{id});
    is($second->{timestamp}, $first->{timestamp});
    like($second->{sent_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    like(($http->requests)[1]{raw}, qr/"cart_value":129\.99/);
    is_deeply([$http->paths], ['/event', '/event']);
};

subtest 'track takes the event, attributes and uuid as arguments too' => sub {
    client()->track('signup', { plan => 'pro' }, $UUID);
    my $body = ($http->requests)[0]{body};
    is_deeply([@$body{qw(event attributes uuid)}], ['signup', { plan => 'pro' }, $UUID]);
};

subtest 'two events get different ids and a given id is kept' => sub {
    my $sdk = client(uuid => $UUID);
    $sdk->track('a');
    $sdk->track('b');
    $sdk->track({ event => 'c', id => 'order-42' });
    my @ids = map { $_->{body}{id} } $http->requests;
    isnt($ids[0], $ids[1]);
    is($ids[2], 'order-42');
};

subtest 'Retry-After in seconds and as an HTTP date is honoured' => sub {
    my $sdk = client();
    my $date = POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime(time + 30));
    $http->then(
        F->error(429, 'rate_limited', {}, { 'retry-after' => '7' }),
        F->error(503, 'unavailable', {}, { 'retry-after' => $date }),
        F->ok_answer,
    );
    $sdk->init({ uuid => $UUID });
    is($slept[0], 7);
    cmp_ok(abs($slept[1] - 30), '<=', 2, "waited until the date ($slept[1] s)");
};

subtest 'Retry-After is capped by max_retry_after' => sub {
    my $sdk = client(max_retry_after => 5);
    $http->then(F->error(429, 'rate_limited', {}, { 'retry-after' => '3600' }), F->ok_answer);
    $sdk->init({ uuid => $UUID });
    is_deeply(\@slept, [5]);
};

subtest 'back-off grows exponentially with jitter up to the cap' => sub {
    my $sdk = client(max_retries => 4, backoff_factor => 1, backoff_max => 4);
    $http->then(map { F->transport_error('Could not connect') } 1 .. 5);
    my $error = error_of { $sdk->init({ uuid => $UUID }) };
    isa_ok($error, 'ATrack::Error::Transport');
    is($error->code, 'network_error');
    is(scalar $http->requests, 5);
    my @bounds = ([0.5, 1], [1, 2], [2, 4], [2, 4]);
    for my $i (0 .. $#bounds) {
        ok($slept[$i] >= $bounds[$i][0] && $slept[$i] <= $bounds[$i][1], "wait $i: $slept[$i]");
    }
};

subtest 'a timeout is retried, then thrown as a timeout' => sub {
    my $sdk = client();
    $http->then(map { F->transport_error('Timed out while waiting for socket to become ready for reading') } 1 .. 4);
    my $error = error_of { $sdk->init({ uuid => $UUID }) };
    isa_ok($error, 'ATrack::Error::Timeout');
    is($error->code, 'timeout');
    is(scalar $http->requests, 4);
};

subtest 'a 503 that lasts is thrown typed with its Retry-After' => sub {
    my $sdk = client();
    $http->then(map { F->error(503, 'unavailable', {}, { 'retry-after' => '1' }) } 1 .. 4);
    my $error = error_of { $sdk->init({ uuid => $UUID }) };
    isa_ok($error, 'ATrack::Error::ServiceUnavailable');
    isa_ok($error, 'ATrack::Error::Server');
    is_deeply([$error->status, $error->code, $error->retry_after], [503, 'unavailable', 1]);
    is(scalar $http->requests, 4, '1 + max_retries');
};

subtest 'client errors are not retried and carry code, message and fields' => sub {
    for my $case (
        [F->error(400, 'invalid_payload', { uuid => ['Must be a valid UUID.'] }), 'ATrack::Error::Validation'],
        [F->error(401, 'invalid_key'), 'ATrack::Error::Authentication'],
        [F->error(403, 'read_not_allowed'), 'ATrack::Error::PermissionDenied'],
        [F->error(404, 'not_found'), 'ATrack::Error::NotFound'],
        [F->error(413, 'payload_too_large'), 'ATrack::Error::PayloadTooLarge'],
        [F->error(418, 'teapot'), 'ATrack::Error::API'],
    ) {
        my $sdk = client();
        $http->then($case->[0]);
        my $error = error_of { $sdk->init({ uuid => 'nope' }) };
        isa_ok($error, $case->[1]);
        is(scalar $http->requests, 1, "$case->[1] not retried");
        like($error->message, qr/^refused: /);
    }
    my $error = ATrack::Error->from_response(400, { error => { code => 'invalid_payload', message => 'm', fields => { uuid => ['x'] } } });
    is_deeply($error->fields, { uuid => ['x'] });
};

subtest 'an answer that is not JSON still gives a typed error' => sub {
    my $sdk = client();
    $http->then({ status => 502, headers => {}, content => '<html>bad gateway</html>' }, { status => 400, headers => {}, content => 'nope' });
    my $error = error_of { $sdk->init({ uuid => $UUID }) };
    isa_ok($error, 'ATrack::Error::Validation');
    is($error->code, 'http_400');
    is($error->message, 'A-TRACK answered HTTP 400.');
};

subtest 'reads use the secret key and leave out unset options' => sub {
    my $sdk = client();
    $sdk->session_show($UUID, events_limit => 5);
    $sdk->event_show('checkout_started', page => '2', sort => 'asc');
    $sdk->delete_session($UUID);
    my @requests = $http->requests;
    is_deeply([$http->paths], ['/session/show', '/event/show', '/session/delete']);
    is_deeply([map { $_->{headers}{'x-a-track-key'} } @requests], [('atk_sec_test') x 3]);
    is_deeply($requests[0]{body}, { uuid => $UUID, events_limit => 5 });
    like($requests[1]{raw}, qr/"page":2\b/, 'numbers go out as numbers');
    is_deeply($requests[1]{body}, { name => 'checkout_started', page => 2, sort => 'asc' });
};

subtest 'synchronous is added to every write' => sub {
    my $sdk = client(synchronous => 1, uuid => $UUID);
    $sdk->set_attributes({ plan => 'pro' });
    $sdk->track('x');
    ok($_->{body}{synchronous}, 'synchronous') for $http->requests;
};

subtest 'batching queues writes and flush sends them through /batch in order' => sub {
    my $sdk = client(batching => 1);
    my $answer = $sdk->init({ uuid => $UUID });
    $sdk->set_attributes({ plan => 'pro' });
    $sdk->track('checkout_started', { cart_value => 129.99 });
    is_deeply([!!$answer->{success}, $answer->{uuid}, !!$answer->{queued}], [1, $UUID, 1]);
    is(scalar $http->requests, 0);
    is($sdk->pending, 3);
    $http->then(F->json(200, { success => JSON::PP::true, results => [map { { success => JSON::PP::true } } 1 .. 3] }));
    is_deeply($sdk->flush, { sent => 3, failed => 0 });
    is_deeply([$http->paths], ['/batch']);
    my $items = ($http->requests)[0]{body}{batch};
    is_deeply([map { $_->{type} } @$items], [qw(init attributes event)]);
    ok($items->[2]{sent_at} && $items->[2]{id}, 'the event has id and sent_at');
    is($sdk->pending, 0);
};

subtest 'batching sends at batch_size' => sub {
    my $sdk = client(batching => 1, batch_size => 2, uuid => $UUID);
    $sdk->track('a');
    is(scalar $http->requests, 0);
    $sdk->track('b');
    is_deeply([$http->paths], ['/batch']);
    is(scalar @{ ($http->requests)[0]{body}{batch} }, 2);
};

subtest 'items the service refuses go to on_error and the rest are sent' => sub {
    my @reported;
    my $sdk = client(batching => 1, uuid => $UUID, on_error => sub { push @reported, [$_[0]->code, $_[0]->fields, $_[1]{event}] });
    $sdk->track('good');
    $sdk->track('');
    $http->then(F->json(200, { success => JSON::PP::false, results => [
        { success => JSON::PP::true },
        { success => JSON::PP::false, error => { code => 'invalid_payload', message => 'bad', fields => { event => ['This field is required.'] } } },
    ] }));
    is_deeply($sdk->flush, { sent => 1, failed => 1 });
    is_deeply(\@reported, [['invalid_payload', { event => ['This field is required.'] }, '']]);
};

subtest 'a flush that keeps failing keeps the items and throws' => sub {
    my $sdk = client(batching => 1, uuid => $UUID, max_retries => 1);
    $sdk->track('a');
    $http->then(F->transport_error('down'), F->transport_error('down'));
    my $error = error_of { $sdk->flush };
    isa_ok($error, 'ATrack::Error::Transport');
    is($sdk->pending, 1);
    is_deeply($sdk->flush, { sent => 1, failed => 0 }, 'the next flush delivers it');
    my %ids = map { $_->{body}{batch}[0]{id} => 1 } $http->requests;
    is(scalar keys %ids, 1, 'the same event every time');
};

subtest 'a refused batch drops its items and reports them' => sub {
    my @reported;
    my $sdk = client(batching => 1, uuid => $UUID, on_error => sub { push @reported, ref $_[0] });
    $sdk->track('a');
    $sdk->track('b');
    $http->then(F->error(401, 'invalid_key'));
    is_deeply($sdk->flush, { sent => 0, failed => 2 });
    is_deeply(\@reported, [('ATrack::Error::Authentication') x 2]);
    is($sdk->pending, 0);
};

subtest 'a batch too large is split' => sub {
    my $sdk = client(batching => 1, uuid => $UUID);
    $sdk->track("e$_") for 1 .. 4;
    $http->then(F->error(413, 'payload_too_large'));
    is_deeply($sdk->flush, { sent => 4, failed => 0 });
    is_deeply([map { scalar @{ $_->{body}{batch} } } $http->requests], [4, 2, 2]);
};

subtest 'the queue drops the oldest write when full' => sub {
    my @reported;
    my $sdk = client(batching => 1, uuid => $UUID, max_queue_size => 2, on_error => sub { push @reported, [ref $_[0], $_[1]{event}] });
    $sdk->track($_) for qw(a b c);
    is_deeply(\@reported, [['ATrack::Error::QueueFull', 'a']]);
    is($sdk->pending, 2);
};

subtest 'a read flushes the queue first' => sub {
    my $sdk = client(batching => 1, uuid => $UUID);
    $sdk->track('a');
    $sdk->session_show;
    is_deeply([$http->paths], ['/batch', '/session/show']);
};

subtest 'destroying the client flushes its queue' => sub {
    my $sdk = client(batching => 1, uuid => $UUID);
    $sdk->track('a');
    undef $sdk;
    is_deeply([$http->paths], ['/batch']);
};

subtest 'batch gives event items without an id one, and keeps given ids' => sub {
    my $sdk = client();
    $sdk->batch([{ type => 'event', uuid => $UUID, event => 'a' }, { type => 'event', uuid => $UUID, event => 'b', id => 'given' }, { type => 'init', uuid => $UUID }]);
    my $items = ($http->requests)[0]{body}{batch};
    like($items->[0]{id}, $UUID_RE);
    is($items->[1]{id}, 'given');
    ok(!exists $items->[2]{id}, 'an init has no event id');
};

subtest 'an injected HTTP client that dies is a transport error' => sub {
    my $sdk = ATrack::Client->new(public_key => 'k', endpoint => 'http://x', max_retries => 0,
        http => bless({}, 'ATrack::Test::DyingHTTP'));
    my $error = error_of { $sdk->init };
    isa_ok($error, 'ATrack::Error::Transport');
    like($error->message, qr/socket exploded/);
};

sub ATrack::Test::DyingHTTP::request { die "socket exploded\n" }

subtest 'NaN and infinity are refused before sending, and "Inf" strings are not' => sub {
    my $sdk = client(uuid => $UUID);
    for my $number (9**9**9, -9**9**9, -sin(9**9**9)) {
        my $error = error_of { $sdk->track('x', { v => $number }) };
        isa_ok($error, 'ATrack::Error::Validation');
    }
    is(scalar $http->requests, 0);
    $sdk->track('x', { v => 'Inf', w => 'NaN' });
    like(($http->requests)[0]{raw}, qr/"v":"Inf","w":"NaN"/);

    my $batching = client(batching => 1, uuid => $UUID);
    isa_ok(error_of { $batching->track('x', { v => 9**9**9 }) }, 'ATrack::Error::Validation');
    is($batching->pending, 0, 'not queued');
};

subtest 'errors stringify to a readable line' => sub {
    my $error = ATrack::Error->from_response(429, { error => { code => 'rate_limited', message => 'Slow down.' } }, 2);
    is("$error", 'ATrack::Error::RateLimit: Slow down. (rate_limited, HTTP 429)');
    is($error->retry_after, 2);
};

done_testing;
