use strict;
use warnings;

# The default HTTP::Tiny transport against a real local HTTP server.

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::HiRes ();

use ATrack::Client;
use ATrack::Test::Server;

my $server = ATrack::Test::Server->new;
my @slept;

sub client {
    my ($endpoint, %options) = @_;
    @slept = ();
    return ATrack::Client->new(public_key => 'atk_pub_test', endpoint => $endpoint,
        sleep => sub { push @slept, $_[0] }, %options);
}

sub error_of (&) {
    my ($code) = @_;
    my $ok = eval { $code->(); 1 };
    return $ok ? undef : $@;
}

subtest 'a request carries the key, the user agent and the JSON body' => sub {
    my $answer = client($server->url . '/echo#')->track({ uuid => 'u', event => 'x', attributes => { v => 1.5, "\x{e9}" => "\x{fc}" } });
    my $echo = $answer->{echo};
    is($echo->{method}, 'POST');
    is($echo->{headers}{'x-a-track-key'}, 'atk_pub_test');
    is($echo->{headers}{'user-agent'}, "atrack-sdk-perl/$ATrack::Client::VERSION");
    is($echo->{headers}{'content-type'}, 'application/json');
    is_deeply($echo->{body}{attributes}, { v => 1.5, "\x{e9}" => "\x{fc}" }, 'UTF-8 both ways');
    ok($echo->{body}{id}, 'an event id');
};

subtest 'a 503 is retried over HTTP until it succeeds' => sub {
    my $answer = client($server->url . '/flaky/tiny/2#')->init({ uuid => 'b19412c6-6a91-4e18-890d-e2269a0d1249' });
    is($answer->{echo}{body}{uuid}, 'b19412c6-6a91-4e18-890d-e2269a0d1249');
    is_deeply(\@slept, [0, 0], 'Retry-After: 0, twice');
};

subtest 'the Retry-After header reaches the error' => sub {
    my $error = error_of { client($server->url . '/status/429?retry_after=3&', max_retries => 0)->init };
    isa_ok($error, 'ATrack::Error::RateLimit');
    is_deeply([$error->status, $error->retry_after, $error->code], [429, 3, 'scripted_429']);
};

subtest 'a slow answer is a timeout' => sub {
    my $started = Time::HiRes::time();
    my $error = error_of { client($server->url . '/slow?seconds=3&', timeout => 0.3, max_retries => 1)->init };
    isa_ok($error, 'ATrack::Error::Timeout');
    is($error->code, 'timeout');
    is(scalar @slept, 1, 'retried once');
    cmp_ok(Time::HiRes::time() - $started, '<', 2.5);
};

subtest 'a refused connection is a transport error after the retries' => sub {
    my $port = ATrack::Test::Server::free_port();
    my $error = error_of { client("http://127.0.0.1:$port", max_retries => 2)->init };
    isa_ok($error, 'ATrack::Error::Transport');
    ok(!$error->isa('ATrack::Error::Timeout'), 'not a timeout');
    is($error->code, 'network_error');
    is($error->status, undef);
    is(scalar @slept, 2);
};

$server->stop;
done_testing;
