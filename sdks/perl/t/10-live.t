use strict;
use warnings;

# The SDK against a live A-TRACK service: what it writes is what the service shows.

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Time::Local ();

use ATrack::Client;
use ATrack::Test::Live qw(root service client new_uuid);

service();

sub error_of (&) {
    my ($code) = @_;
    my $ok = eval { $code->(); 1 };
    return $ok ? undef : $@;
}

sub events { [map { [$_->{name}, $_->{attributes}] } @{ $_[0]{events} }] }

subtest 'a session written and read back' => sub {
    my $sdk = client();
    my $init = $sdk->init({
        context => {
            url    => { href => 'https://shop.example/pricing?utm_source=newsletter&gclid=g1', raw => '/pricing?utm_source=newsletter&gclid=g1' },
            client => { ipAddress => '50.89.98.90', userAgent => 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)', locale => 'en-US' },
            user   => { attributes => { plan => 'free' } },
        },
        custom_data => { landing_variant => 'v2' },
    });
    my $uuid = $init->{uuid};
    ok($init->{success}, 'success');
    is($sdk->get_user_uuid, $uuid);
    $sdk->set_attributes({ plan => 'pro', flags => { beta => \1 }, empty => {} }, 0);
    $sdk->track('signup', { step => 1 });
    $sdk->track({ uuid => $uuid, event => 'checkout_started', attributes => { cart_value => 129.99 }, timestamp => '2026-04-12T02:10:00Z' });

    my $shown = $sdk->session_show($uuid, sort => 'asc')->{data};
    my $session = $shown->{session};
    is($session->{source}, 'newsletter');
    is($session->{click_ids}{gclid}, 'g1');
    is($session->{ip_address}, '50.89.98.90');
    ok($session->{device_data}{is_mobile}, 'an iPhone is mobile');
    is($session->{client_attributes}{locale}, 'en-US');
    is_deeply($session->{custom_data}, { landing_variant => 'v2' });
    is_deeply($shown->{attributes}, { plan => 'pro', flags => { beta => JSON::PP::true }, empty => {} });
    # ascending occurred_at: the event timestamped in April comes first
    is_deeply(events($shown), [['checkout_started', { cart_value => 129.99 }], ['signup', { step => 1 }]]);
    is_deeply($shown->{meta}, { uuid => $uuid, events_limit => 100, events_count => 2, sort => 'asc' });

    $sdk->set_attributes({ only => 'this' }, 1);
    is_deeply($sdk->session_show->{data}{attributes}, { only => 'this' }, 'replace');

    my $page = $sdk->event_show('checkout_started', uuid => $uuid, per_page => 1);
    is($page->{meta}{total}, 1);
    # occurred_at = received_at + (timestamp - sent_at): the given time, give or take the trip
    my ($y, $mo, $d, $h, $mi, $s) = $page->{data}[0]{occurred_at} =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)/;
    cmp_ok(abs(Time::Local::timegm($s, $mi, $h, $d, $mo - 1, $y) - Time::Local::timegm(0, 10, 2, 12, 3, 2026)), '<=', 5);

    is($sdk->delete_session($uuid)->{deleted}{sessions}, 1);
    isa_ok(error_of { $sdk->session_show($uuid) }, 'ATrack::Error::NotFound');
};

subtest 'an event sent twice with one id is stored once' => sub {
    my $sdk = client();
    my $uuid = $sdk->init->{uuid};
    my $event = { uuid => $uuid, event => 'paid', id => 'order-' . new_uuid() };
    $sdk->track($event);
    $sdk->track($event);    # what a retry after a lost answer does
    is(scalar @{ $sdk->session_show($uuid)->{data}{events} }, 1);
};

subtest 'batched writes arrive through /batch on flush' => sub {
    my $sdk = client(batching => 1, batch_size => 100);
    my $uuid = $sdk->init->{uuid};
    $sdk->set_attributes({ plan => 'pro' });
    $sdk->track('step', { n => $_ }) for 1 .. 10;
    is($sdk->pending, 12);
    is_deeply($sdk->flush, { sent => 12, failed => 0 });
    my $shown = client()->session_show($uuid, sort => 'asc')->{data};
    is_deeply($shown->{attributes}, { plan => 'pro' });
    is_deeply([map { $_->{attributes}{n} } @{ $shown->{events} }], [1 .. 10]);
};

subtest 'a refused batch item is reported and the others stored' => sub {
    my @reported;
    my $sdk = client(batching => 1, on_error => sub { push @reported, [$_[0]->code, [sort keys %{ $_[0]->fields }], $_[1]{type}] });
    my $uuid = $sdk->init->{uuid};
    $sdk->track({ event => 'x' x 300 });
    $sdk->track('ok');
    is_deeply($sdk->flush, { sent => 2, failed => 1 });
    is_deeply(\@reported, [['invalid_payload', ['event'], 'event']]);
    is_deeply(events(client()->session_show($uuid)->{data}), [['ok', {}]]);
};

subtest 'queued writes are sent when the program ends' => sub {
    my $uuid = new_uuid();
    my $service = service();
    my $lib = root() . '/sdks/perl/lib';
    local $ENV{ATRACK_ENDPOINT} = $service->{endpoint};
    my $output = qx{$^X -I$lib -MATrack::Client -e 'my \$sdk = ATrack::Client->new(public_key => q($service->{public_key}), batching => 1); \$sdk->init({uuid => q($uuid)}); \$sdk->track(q(left_without_flush)); print \$sdk->pending' 2>&1};
    is_deeply([$?, $output], [0, '2']);
    is_deeply(events(client()->session_show($uuid)->{data}), [['left_without_flush', {}]]);
};

subtest 'errors from the service are typed' => sub {
    my $error = error_of { client()->track({ uuid => 'not-a-uuid', event => 'x' }) };
    isa_ok($error, 'ATrack::Error::Validation');
    is_deeply([$error->status, $error->code], [400, 'invalid_payload']);
    ok(exists $error->fields->{uuid}, 'a message for uuid');

    my $service = service();
    $error = error_of { ATrack::Client->new(public_key => $service->{public_key}, endpoint => $service->{endpoint})->session_show(new_uuid()) };
    isa_ok($error, 'ATrack::Error::PermissionDenied');
    is($error->code, 'read_not_allowed');

    $error = error_of { ATrack::Client->new(public_key => 'atk_pub_unknown', endpoint => $service->{endpoint}, max_retries => 0)->init };
    isa_ok($error, 'ATrack::Error::Authentication');
};

done_testing;
