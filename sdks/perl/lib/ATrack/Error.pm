package ATrack::Error;

use strict;
use warnings;

our $VERSION = '0.1.0';

use overload '""' => \&as_string, bool => sub { 1 }, fallback => 1;

# HTTP status => the class an error answer is thrown as.
my %BY_STATUS = (
    400 => 'ATrack::Error::Validation',
    401 => 'ATrack::Error::Authentication',
    403 => 'ATrack::Error::PermissionDenied',
    404 => 'ATrack::Error::NotFound',
    413 => 'ATrack::Error::PayloadTooLarge',
    429 => 'ATrack::Error::RateLimit',
    503 => 'ATrack::Error::ServiceUnavailable',
);

sub new {
    my ($class, %args) = @_;
    my $self = bless {
        message     => defined $args{message} ? $args{message} : 'A-TRACK call failed',
        code        => $args{code},
        status      => $args{status},
        fields      => $args{fields} || {},
        retry_after => $args{retry_after},
        body        => $args{body},
    }, $class;
    return $self;
}

sub throw {
    my ($class, %args) = @_;
    die $class->new(%args);
}

sub message     { $_[0]{message} }
sub code        { $_[0]{code} }
sub status      { $_[0]{status} }
sub fields      { $_[0]{fields} }
sub retry_after { $_[0]{retry_after} }
sub body        { $_[0]{body} }

sub as_string {
    my ($self) = @_;
    my @about = grep { defined } ($self->{code}, defined $self->{status} ? "HTTP $self->{status}" : undef);
    my $text = ref($self) . ": $self->{message}";
    $text .= ' (' . join(', ', @about) . ')' if @about;
    return $text;
}

# The typed error an unsuccessful answer stands for.
sub from_response {
    my ($class, $status, $data, $retry_after) = @_;
    my $error = ref $data eq 'HASH' && ref $data->{error} eq 'HASH' ? $data->{error} : {};
    my $type = $BY_STATUS{$status}
        || ($status >= 500 ? 'ATrack::Error::Server' : 'ATrack::Error::API');
    return $type->new(
        message     => $error->{message} || "A-TRACK answered HTTP $status.",
        code        => $error->{code} || "http_$status",
        status      => $status,
        fields      => ref $error->{fields} eq 'HASH' ? $error->{fields} : {},
        retry_after => $retry_after,
        body        => $data,
    );
}

package ATrack::Error::Configuration;    ## no critic (ProhibitMultiplePackages)
our @ISA = ('ATrack::Error');

package ATrack::Error::Transport;
our @ISA = ('ATrack::Error');

package ATrack::Error::Timeout;
our @ISA = ('ATrack::Error::Transport');

package ATrack::Error::QueueFull;
our @ISA = ('ATrack::Error');

package ATrack::Error::API;
our @ISA = ('ATrack::Error');

package ATrack::Error::Validation;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::Authentication;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::PermissionDenied;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::NotFound;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::PayloadTooLarge;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::RateLimit;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::Server;
our @ISA = ('ATrack::Error::API');

package ATrack::Error::ServiceUnavailable;
our @ISA = ('ATrack::Error::Server');

1;

__END__

=head1 NAME

ATrack::Error - the exceptions of the A-TRACK Perl SDK

=head1 SYNOPSIS

  use Scalar::Util qw(blessed);

  my $ok = eval { $sdk->track({ uuid => $uuid, event => '' }); 1 };
  if (!$ok) {
      my $error = $@;
      die $error unless blessed $error && $error->isa('ATrack::Error');
      warn $error->code, ': ', $error->message;       # invalid_payload: ...
      warn "  $_: @{ $error->fields->{$_} }" for sort keys %{ $error->fields };
  }

=head1 DESCRIPTION

Every failure of an L<ATrack::Client> call is an object of one of these classes, thrown
with C<die>. They stringify to a readable line, so an uncaught one still says what went
wrong.

=head2 Accessors

=over

=item C<code>

The service's error code (C<invalid_payload>, C<rate_limited>, C<not_found>...), or the
SDK's own for failures without an answer (C<network_error>, C<timeout>,
C<missing_endpoint>, C<queue_full>).

=item C<message>

A readable message: the service's, or the SDK's.

=item C<fields>

A hash reference of per-field messages (C<< { uuid => ['...'] } >>); empty when the
error is not about fields.

=item C<status>

The HTTP status, C<undef> when no answer came.

=item C<retry_after>

Seconds the service asked to wait (429, 503), else C<undef>.

=item C<body>

The decoded answer, when there was one.

=back

=head2 Classes

  ATrack::Error                       every error
    ATrack::Error::Configuration      bad constructor arguments (no endpoint, no key)
    ATrack::Error::Transport          no HTTP answer: refused, reset, DNS
      ATrack::Error::Timeout          no answer within the timeout
    ATrack::Error::QueueFull          batching: the local queue is full
    ATrack::Error::API                the service answered with an error status
      ATrack::Error::Validation       400 (see fields)
      ATrack::Error::Authentication   401
      ATrack::Error::PermissionDenied 403
      ATrack::Error::NotFound         404
      ATrack::Error::PayloadTooLarge  413
      ATrack::Error::RateLimit        429
      ATrack::Error::Server           5xx
        ATrack::Error::ServiceUnavailable 503

=cut
