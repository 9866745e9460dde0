<?php

declare(strict_types=1);

namespace ATrack\Tests\Live;

use ATrack\ATrackClient;
use ATrack\Exception\AuthenticationException;
use ATrack\Exception\NotFoundException;
use ATrack\Exception\PermissionDeniedException;
use ATrack\Exception\ValidationException;
use ATrack\Tests\Support\LiveService;
use PHPUnit\Framework\TestCase;

/** The SDK against a live A-TRACK service: what it writes is what the service shows. */
final class LiveTest extends TestCase
{
    private LiveService $service;

    protected function setUp(): void
    {
        $this->service = LiveService::get();
    }

    /** @return list<array{0: string, 1: mixed}> */
    private static function events(array $shown): array
    {
        return array_map(static fn (array $e): array => [$e['name'], $e['attributes']], $shown['events']);
    }

    public function test_a_session_written_and_read_back(): void
    {
        $sdk = $this->service->client();
        $init = $sdk->init([
            'context' => [
                'url' => ['href' => 'https://shop.example/pricing?utm_source=newsletter&gclid=g1', 'raw' => '/pricing?utm_source=newsletter&gclid=g1'],
                'client' => ['ipAddress' => '50.89.98.90', 'userAgent' => 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)', 'locale' => 'en-US'],
                'user' => ['attributes' => ['plan' => 'free']],
            ],
            'custom_data' => ['landing_variant' => 'v2'],
        ]);
        $uuid = $init['uuid'];
        $this->assertTrue($init['success']);
        $this->assertSame($uuid, $sdk->getUserUuid());
        $sdk->setAttributes(['plan' => 'pro', 'flags' => ['beta' => true], 'empty' => new \stdClass()], false);
        $sdk->track('signup', ['step' => 1]);
        $sdk->track(['uuid' => $uuid, 'event' => 'checkout_started', 'attributes' => ['cart_value' => 129.99], 'timestamp' => '2026-04-12T02:10:00Z']);

        $shown = $sdk->sessionShow($uuid, ['sort' => 'asc'])['data'];
        $session = $shown['session'];
        $this->assertSame('newsletter', $session['source']);
        $this->assertSame('g1', $session['click_ids']['gclid']);
        $this->assertSame('50.89.98.90', $session['ip_address']);
        $this->assertTrue($session['device_data']['is_mobile']);
        $this->assertSame('en-US', $session['client_attributes']['locale']);
        $this->assertSame(['landing_variant' => 'v2'], $session['custom_data']);
        $this->assertEquals(['plan' => 'pro', 'flags' => ['beta' => true], 'empty' => []], $shown['attributes']);
        // ascending occurred_at: the event timestamped in April comes first
        $this->assertSame([['checkout_started', ['cart_value' => 129.99]], ['signup', ['step' => 1]]], self::events($shown));
        $this->assertSame(['uuid' => $uuid, 'events_limit' => 100, 'events_count' => 2, 'sort' => 'asc'], $shown['meta']);

        $sdk->setAttributes(['only' => 'this'], true);
        $this->assertSame(['only' => 'this'], $sdk->sessionShow()['data']['attributes']);

        $page = $sdk->eventShow('checkout_started', ['uuid' => $uuid, 'per_page' => 1]);
        $this->assertSame(1, $page['meta']['total']);
        // occurred_at = received_at + (timestamp - sent_at): the given time, give or take the trip
        $occurred = new \DateTimeImmutable($page['data'][0]['occurred_at']);
        $this->assertEqualsWithDelta(strtotime('2026-04-12T02:10:00Z'), $occurred->getTimestamp(), 5);

        $this->assertSame(1, $sdk->deleteSession($uuid)['deleted']['sessions']);
        $this->expectException(NotFoundException::class);
        $sdk->sessionShow($uuid);
    }

    public function test_an_event_sent_twice_with_one_id_is_stored_once(): void
    {
        $sdk = $this->service->client();
        $uuid = $sdk->init()['uuid'];
        $event = ['uuid' => $uuid, 'event' => 'paid', 'id' => 'order-' . bin2hex(random_bytes(6))];
        $sdk->track($event);
        $sdk->track($event); // what a retry after a lost answer does
        $this->assertCount(1, $sdk->sessionShow($uuid)['data']['events']);
    }

    public function test_batched_writes_arrive_through_batch_on_flush(): void
    {
        $sdk = $this->service->client(['batching' => true, 'batchSize' => 100]);
        $uuid = $sdk->init()['uuid'];
        $sdk->setAttributes(['plan' => 'pro']);
        foreach (range(1, 10) as $i) {
            $sdk->track('step', ['n' => $i]);
        }
        $this->assertSame(12, $sdk->pending());
        $this->assertSame(['sent' => 12, 'failed' => 0], $sdk->flush());
        $shown = $this->service->client()->sessionShow($uuid, ['sort' => 'asc'])['data'];
        $this->assertSame(['plan' => 'pro'], $shown['attributes']);
        $this->assertSame(range(1, 10), array_map(static fn (array $e): int => $e['attributes']['n'], $shown['events']));
    }

    public function test_a_refused_batch_item_is_reported_and_the_others_stored(): void
    {
        $reported = [];
        $sdk = $this->service->client(['batching' => true, 'onError' => static function ($error, $item) use (&$reported): void {
            $reported[] = [$error->getErrorCode(), array_keys($error->getFields()), $item['type']];
        }]);
        $uuid = $sdk->init()['uuid'];
        $sdk->track(['event' => str_repeat('x', 300)]);
        $sdk->track('ok');
        $this->assertSame(['sent' => 2, 'failed' => 1], $sdk->flush());
        $this->assertSame([['invalid_payload', ['event'], 'event']], $reported);
        $this->assertSame([['ok', []]], self::events($this->service->client()->sessionShow($uuid)['data']));
    }

    public function test_queued_writes_are_sent_when_the_script_ends(): void
    {
        $uuid = LiveService::newUuid();
        $script = sprintf(
            'require %s; $sdk = new ATrack\ATrackClient(["publicKey" => %s, "endpoint" => %s, "batching" => true]);'
            . ' $sdk->init(["uuid" => %s]); $sdk->track("left_without_flush"); echo $sdk->pending();',
            var_export(dirname(__DIR__, 2) . '/autoload.php', true),
            var_export($this->service->publicKey, true),
            var_export($this->service->endpoint, true),
            var_export($uuid, true),
        );
        exec(escapeshellarg(PHP_BINARY) . ' -r ' . escapeshellarg($script) . ' 2>&1', $output, $status);
        $this->assertSame([0, ['2']], [$status, $output]);
        $this->assertSame([['left_without_flush', []]], self::events($this->service->client()->sessionShow($uuid)['data']));
    }

    public function test_errors_from_the_service_are_typed(): void
    {
        try {
            $this->service->client()->track(['uuid' => 'not-a-uuid', 'event' => 'x']);
            $this->fail('no exception');
        } catch (ValidationException $e) {
            $this->assertSame([400, 'invalid_payload'], [$e->getStatus(), $e->getErrorCode()]);
            $this->assertArrayHasKey('uuid', $e->getFields());
        }
        try {
            (new ATrackClient(['publicKey' => $this->service->publicKey, 'endpoint' => $this->service->endpoint]))->sessionShow(LiveService::newUuid());
            $this->fail('a public key read');
        } catch (PermissionDeniedException $e) {
            $this->assertSame('read_not_allowed', $e->getErrorCode());
        }
        $this->expectException(AuthenticationException::class);
        (new ATrackClient(['publicKey' => 'atk_pub_unknown', 'endpoint' => $this->service->endpoint, 'maxRetries' => 0]))->init();
    }
}
