package ATrack::Test::Server;

# A scripted HTTP server on a free loopback port, in a forked child (one child per
# connection), for the transport tests:
#   /echo                      200 with the request's method, headers and body
#   /status/NNN?retry_after=S  NNN with an error body (and Retry-After S)
#   /slow?seconds=S            200 after S seconds
#   /flaky/NAME/N              503 (Retry-After 0) N times for NAME, then /echo

use strict;
use warnings;

use File::Temp ();
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

my $JSON = JSON::PP->new->utf8->canonical;

sub new {
    my ($class) = @_;
    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1)
        or die "cannot listen: $!";
    my $state = File::Temp->newdir;
    my $pid = fork // die "cannot fork: $!";
    if (!$pid) {
        POSIX::setsid();    # its connection children go with it
        local $SIG{CHLD} = 'IGNORE';
        while (my $client = $listen->accept) {
            my $child = fork;
            if (defined $child && !$child) {
                _serve($client, "$state");
                POSIX::_exit(0);
            }
            close $client;
        }
        POSIX::_exit(0);
    }
    my $port = $listen->sockport;
    close $listen;
    return bless { pid => $pid, url => "http://127.0.0.1:$port", state => $state }, $class;
}

sub url { $_[0]{url} }

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'TERM', -$self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

sub free_port {
    my $socket = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1) or die $!;
    my $port = $socket->sockport;
    close $socket;
    return $port;
}

sub _serve {
    my ($client, $state) = @_;
    my $request_line = <$client> // return;
    my ($method, $target) = split ' ', $request_line;
    my %headers;
    while (my $line = <$client>) {
        last if $line =~ /^\r?\n$/;
        my ($name, $value) = $line =~ /^([^:]+):\s*(.*?)\r?\n$/ or next;
        $headers{ lc $name } = $value;
    }
    my $raw = '';
    read $client, $raw, $headers{'content-length'} if $headers{'content-length'};
    my ($path, $query) = split /\?/, $target, 2;
    my %query = map { my ($k, $v) = split /=/, $_, 2; ($k, $v // '') } split /&/, $query // '';
    my $echo = sub {
        _answer($client, 200, { success => JSON::PP::true, echo => {
            method => $method, headers => \%headers, raw => $raw, body => eval { $JSON->decode($raw) } } });
    };
    if ($path eq '/echo') {
        $echo->();
    }
    elsif ($path =~ m{^/status/(\d{3})$}) {
        _answer($client, $1, { success => JSON::PP::false, error => { code => "scripted_$1", message => 'scripted', fields => {} } },
            defined $query{retry_after} ? ('Retry-After' => $query{retry_after}) : ());
    }
    elsif ($path eq '/slow') {
        Time::HiRes::sleep($query{seconds} || 1);
        $echo->();
    }
    elsif ($path =~ m{^/flaky/(\w+)/(\d+)$}) {
        my $file = "$state/$1";
        my $seen = -e $file ? -s $file : 0;
        open my $fh, '>>', $file or die $!;
        print $fh 'x';
        close $fh;
        if ($seen < $2) {
            _answer($client, 503, { success => JSON::PP::false, error => { code => 'unavailable', message => 'try later' } }, 'Retry-After' => 0);
        }
        else {
            $echo->();
        }
    }
    else {
        _answer($client, 404, { success => JSON::PP::false, error => { code => 'not_found', message => 'no route' } });
    }
    close $client;
}

sub _answer {
    my ($client, $status, $body, %headers) = @_;
    my $content = $JSON->encode($body);
    my $extra = join '', map { "$_: $headers{$_}\r\n" } sort keys %headers;
    print $client "HTTP/1.1 $status Scripted\r\nContent-Type: application/json\r\n$extra"
        . 'Content-Length: ' . length($content) . "\r\nConnection: close\r\n\r\n$content";
}

1;
