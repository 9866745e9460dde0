use strict;
use warnings;

use Test::More;

use_ok('ATrack::Client');
use_ok('ATrack::Error');
like($ATrack::Client::VERSION, qr/^\d+\.\d+\.\d+$/, 'a semantic version');
is($ATrack::Error::VERSION, $ATrack::Client::VERSION, 'one version for the distribution');
for my $class (qw(Configuration Transport Timeout QueueFull API Validation Authentication
                  PermissionDenied NotFound PayloadTooLarge RateLimit Server ServiceUnavailable)) {
    ok("ATrack::Error::$class"->isa('ATrack::Error'), "ATrack::Error::$class is an ATrack::Error");
}
done_testing;
