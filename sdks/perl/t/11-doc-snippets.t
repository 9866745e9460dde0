use strict;
use warnings;

# The documentation's Perl examples, kept verbatim in t/snippets, run as written against a
# live service. Only the key changes; the endpoint comes from ATRACK_ENDPOINT and the
# placeholders an example assumes ($full_url, $known_uuid...) are defined around it.

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;

use ATrack::Test::Live qw(root service client new_uuid);

service();    # or skip the file (fail under CI=true) before any test

my @SNIPPETS = qw(real_life_1_init real_life_2_read_uuid real_life_3_track init set_attributes track);
my $LANDING = 'https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123';

sub snippet {
    my ($name) = @_;
    open my $fh, '<:encoding(UTF-8)', "$FindBin::Bin/snippets/$name.txt" or die "$name: $!";
    local $/;
    return <$fh>;
}

sub documentation {
    for my $path (grep { defined } $ENV{ATRACK_DOCUMENTATION}, root() . '/../shared/seed/a-track-documentation.txt',
                  '/work/shared/seed/a-track-documentation.txt') {
        next unless -f $path;
        open my $fh, '<:encoding(UTF-8)', $path or die "$path: $!";
        local $/;
        return <$fh>;
    }
    return undef;
}

# Code (snippets, and the test's own lines between them) in one lexical scope, with the
# given variables; returns what `$result_code` evaluates to. Any warning fails the test.
sub run_snippets {
    my ($variables, $result_code, @parts) = @_;
    my $key = service()->{public_key};
    my $code = join "\n", 'use strict; use warnings; use ATrack::Client;',
        (map { "my \$$_ = \$variables->{$_};" } sort keys %$variables), @parts, $result_code;
    $code =~ s/'your_public_key'/'$key'/g;
    local $ENV{ATRACK_ENDPOINT} = service()->{endpoint};    # the snippets name no endpoint
    my @warnings;
    local $SIG{__WARN__} = sub { push @warnings, @_ };
    my $out = eval $code;    ## no critic (ProhibitStringyEval)
    die $@ if $@;
    is_deeply(\@warnings, [], 'no warnings');
    return $out;
}

subtest "the copies are the documentation's text" => sub {
    my $doc = documentation();
    plan skip_all => 'the documentation (shared/seed) is not beside this checkout' unless defined $doc;
    for my $name (@SNIPPETS) {
        (my $text = snippet($name)) =~ s/\s+\z//;
        ok(index($doc, $text) >= 0, "$name is the documentation's text");
    }
};

subtest 'the real-life examples run as written' => sub {
    my $full_url = 'https://a-track.io/pricing?utm_source=newsletter#plans';
    my $out = run_snippets(
        { full_url => $full_url, raw_url => '/pricing?utm_source=newsletter' },
        '+{ first_uuid => $first_uuid, generated_uuid => $generated_uuid, sdk_uuid => $sdk->get_user_uuid };',
        snippet('real_life_1_init'),
        'my $first_uuid = $sdk->get_user_uuid;',
        snippet('real_life_2_read_uuid'),
        snippet('real_life_3_track'),
    );
    my $reader = client();
    my $first = $reader->session_show($out->{first_uuid})->{data}{session};
    is($first->{url_data}{href}, $LANDING);
    is($first->{url_data}{source_url}, 'https://partner.example.com/blog/first-touch');
    is($first->{utm_data}{utm_campaign}, 'spring-launch');
    is_deeply([sort keys %{ $first->{click_ids} }], [qw(fbc fbclid gclid)]);
    is($first->{source}, 'google');

    is($out->{sdk_uuid}, $out->{generated_uuid});
    my $shown = $reader->session_show($out->{generated_uuid})->{data};
    is($shown->{session}{url_data}{href}, $full_url);
    is_deeply([map { [$_->{name}, $_->{attributes}] } @{ $shown->{events} }],
        [['checkout_started', { cart_value => 129.99, currency => 'USD', step => 'payment' }]]);
};

subtest 'the reference examples run as written' => sub {
    my $known_uuid = new_uuid();
    my $out = run_snippets(
        { known_uuid => $known_uuid, full_url => 'https://a-track.io/pricing?utm_source=google', raw_url => '/pricing?utm_source=google' },
        '$result;',
        snippet('init'), snippet('set_attributes'), snippet('track'),
    );
    is($out->{uuid}, $known_uuid);
    my $shown = client()->session_show($known_uuid)->{data};
    is($shown->{session}{url_data}{path}, '/pricing');
    is_deeply($shown->{session}{utm_data}, { utm_source => 'google' });
    is_deeply($shown->{attributes}, { plan => 'pro', signup_step => 'landing' });
    is_deeply([map { [$_->{name}, $_->{attributes}] } @{ $shown->{events} }],
        [['checkout_started', { cart_value => 129.99, currency => 'USD' }]]);
};

done_testing;
