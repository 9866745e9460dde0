package ATrack::Test::FakeHTTP;

# An HTTP::Tiny stand-in: answers from a script and records each request.

use strict;
use warnings;

use JSON::PP ();

my $JSON = JSON::PP->new->utf8->canonical;

sub new {
    my ($class, @script) = @_;
    return bless { script => [@script], requests => [] }, $class;
}

sub json {
    my ($class, $status, $body, $headers) = @_;
    return { status => $status, headers => $headers || {}, content => $JSON->encode($body) };
}

sub ok_answer {
    my ($class, $uuid) = @_;
    return $class->json(200, { success => JSON::PP::true, uuid => $uuid || 'b19412c6-6a91-4e18-890d-e2269a0d1249', queued => JSON::PP::false });
}

sub error {
    my ($class, $status, $code, $fields, $headers) = @_;
    return $class->json($status, { success => JSON::PP::false, error => { code => $code, message => "refused: $code", fields => $fields || {} } }, $headers);
}

sub transport_error {
    my ($class, $message) = @_;
    return { status => 599, reason => 'Internal Exception', headers => {}, content => "$message\n" };
}

sub then { my ($self, @answers) = @_; push @{ $self->{script} }, @answers; return $self }

sub request {
    my ($self, $method, $url, $options) = @_;
    push @{ $self->{requests} }, {
        method  => $method,
        url     => $url,
        headers => $options->{headers},
        raw     => $options->{content},
        body    => $JSON->decode($options->{content}),
    };
    return shift @{ $self->{script} } || __PACKAGE__->ok_answer;
}

sub requests { @{ $_[0]{requests} } }

sub paths { map { (my $p = $_->{url}) =~ s{^https?://[^/]+}{}; $p } @{ $_[0]{requests} } }

1;
