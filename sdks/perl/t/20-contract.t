use strict;
use warnings;

# The language-neutral contract suite (sdks/contract/cases) played by the Perl SDK.

use FindBin;
use lib "$FindBin::Bin/lib";

use File::Temp ();
use JSON::PP ();
use Test::More;

use ATrack::Test::Contract;
use ATrack::Test::Live qw(root service);

my $service = service();
my @cases = sort glob(root() . '/sdks/contract/cases/*.json');
cmp_ok(scalar @cases, '>=', 14, 'the suite is there');

for my $path (@cases) {
    (my $name = $path) =~ s{.*/}{};
    my $ok = eval { ATrack::Test::Contract->new($path, $service)->play };
    ok($ok, $name) or diag("$name: $@");
}

subtest 'a case expecting the wrong answer fails' => sub {
    open my $fh, '<:raw', $cases[0] or die $!;
    my $wrong = JSON::PP::decode_json(do { local $/; <$fh> });
    $wrong->{steps}[0]{expect}{status} = 200;    # the init really answers 201
    my $file = File::Temp->new(SUFFIX => '.json');
    print $file JSON::PP::encode_json($wrong);
    close $file;
    my $ok = eval { ATrack::Test::Contract->new("$file", $service)->play };
    ok(!$ok, 'the wrong case fails');
    like($@, qr/expected HTTP 200, got 201/);
};

done_testing;
