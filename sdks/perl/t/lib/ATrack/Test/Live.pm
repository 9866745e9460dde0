package ATrack::Test::Live;

# The live A-TRACK service of the live, snippet and contract tests: the contract launcher
# (sdks/contract/serve.py), started once per test file with a pipe on its stdin and
# stopped by closing it; or the one whose JSON line ATRACK_CONTRACT_SERVICE holds
# (./check starts one for the whole run).

use strict;
use warnings;

use Cwd ();
use Exporter 'import';
use File::Basename ();
use IO::Select ();
use IPC::Open3 ();
use JSON::PP ();
use Symbol ();
use Test::More ();

use ATrack::Client;

our @EXPORT_OK = qw(root service client new_uuid require_or_skip);

my $ROOT = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../../../../../..');
my ($SERVICE, $PID, $STDIN);

sub root { $ROOT }

# A missing toolchain or service skips the test file locally and fails it under CI=true.
sub require_or_skip {
    my ($condition, $reason) = @_;
    return if $condition;
    if (($ENV{CI} || '') eq 'true') {
        Test::More::fail("required in CI: $reason");
        Test::More::done_testing();
        exit 1;
    }
    Test::More::plan(skip_all => $reason);
}

sub service {
    return $SERVICE if $SERVICE;
    my $given = $ENV{ATRACK_CONTRACT_SERVICE};
    $SERVICE = defined $given && length $given ? JSON::PP::decode_json($given) : _launch();
    return $SERVICE;
}

sub _launch {
    my $python = $ENV{ATRACK_PYTHON} || "$ROOT/.venv/bin/python";
    my $serve = "$ROOT/sdks/contract/serve.py";
    require_or_skip(-x $python && -f $serve,
        "needs the repository's virtualenv ($python: source scripts/_venv.sh) and $serve");
    my $stderr = Symbol::gensym();
    open $stderr, '>', '/dev/null' or die $!;
    $PID = IPC::Open3::open3($STDIN, my $stdout, '>&' . fileno($stderr), $python, $serve);
    my $line = IO::Select->new($stdout)->can_read(120) ? <$stdout> : undef;
    die "serve.py did not start\n" unless defined $line && length $line;
    return JSON::PP::decode_json($line);
}

# Closing its stdin stops the launcher and everything it started.
END {
    if ($PID) {
        local $?;
        close $STDIN;
        waitpid $PID, 0;
    }
}

sub client {
    my (%options) = @_;
    my $service = service();
    return ATrack::Client->new(
        public_key => $service->{public_key},
        secret_key => $service->{secret_key},
        endpoint   => $service->{endpoint},
        %options,
    );
}

sub new_uuid {
    my @b = map { int rand 256 } 1 .. 16;
    $b[6] = ($b[6] & 0x0f) | 0x40;
    $b[8] = ($b[8] & 0x3f) | 0x80;
    return sprintf '%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x', @b;
}

1;
