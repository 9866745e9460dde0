<?php

declare(strict_types=1);

namespace ATrack\Tests\Unit;

use ATrack\ATrackClient;
use ATrack\Exception\ApiException;
use ATrack\Exception\ATrackException;
use ATrack\Exception\AuthenticationException;
use ATrack\Exception\ConfigurationException;
use ATrack\Exception\NotFoundException;
use ATrack\Exception\QueueFullException;
use ATrack\Exception\RateLimitException;
use ATrack\Exception\ServiceUnavailableException;
use ATrack\Exception\TimeoutException;
use ATrack\Exception\TransportException;
use ATrack\Exception\ValidationException;
use ATrack\Tests\Support\FakeTransport;
use PHPUnit\Framework\TestCase;

/** The client's behaviour against a scripted transport: no network. */
final class ClientTest extends TestCase
{
    private const UUID = 'b19412c6-6a91-4e18-890d-e2269a0d1249';

    private FakeTransport $transport;
    /** @var list<float> */
    private array $slept = [];

    private string|false $environment;

    protected function setUp(): void
    {
        $this->transport = new FakeTransport();
        $this->slept = [];
        $this->environment = getenv('ATRACK_ENDPOINT');
    }

    protected function tearDown(): void
    {
        putenv($this->environment === false ? 'ATRACK_ENDPOINT' : "ATRACK_ENDPOINT={$this->environment}");
    }

    /** @param array<string, mixed> $options */
    private function client(array $options = []): ATrackClient
    {
        return new ATrackClient($options + [
            'publicKey' => 'atk_pub_test',
            'secretKey' => 'atk_sec_test',
            'endpoint' => 'http://track.test/',
            'transport' => $this->transport,
            'sleep' => function (float $seconds): void {
                $this->slept[] = $seconds;
            },
        ]);
    }

    private static function error(int $status, string $code, array $fields = [], array $headers = []): \ATrack\Http\Response
    {
        return FakeTransport::json($status, [
            'success' => false,
            'error' => ['code' => $code, 'message' => "refused: {$code}", 'fields' => $fields],
        ], $headers);
    }

    public function test_the_endpoint_comes_from_the_environment_when_not_given(): void
    {
        putenv('ATRACK_ENDPOINT=http://from-env.test');
        $sdk = new ATrackClient(['publicKey' => 'atk_pub_test', 'transport' => $this->transport]);
        $sdk->init();
        $this->assertSame('http://from-env.test/init', $this->transport->requests[0]['url']);
    }

    public function test_a_missing_endpoint_is_a_clear_configuration_error(): void
    {
        putenv('ATRACK_ENDPOINT');
        try {
            new ATrackClient(['publicKey' => 'atk_pub_test']);
            $this->fail('no exception');
        } catch (ConfigurationException $e) {
            $this->assertSame('missing_endpoint', $e->getErrorCode());
            $this->assertStringContainsString('ATRACK_ENDPOINT', $e->getMessage());
        }
    }

    public function test_bad_options_are_refused(): void
    {
        foreach ([
            [['endpoint' => 'ftp://x', 'publicKey' => 'k'], 'invalid_endpoint'],
            [['endpoint' => 'http://x'], 'missing_key'],
            [['endpoint' => 'http://x', 'publicKey' => 'k', 'publickey' => 'typo'], 'unknown_option'],
        ] as [$options, $code]) {
            try {
                new ATrackClient($options);
                $this->fail("accepted {$code}");
            } catch (ConfigurationException $e) {
                $this->assertSame($code, $e->getErrorCode());
            }
        }
    }

    public function test_writes_send_the_public_key_and_the_sdk_user_agent(): void
    {
        $this->client()->init(['uuid' => self::UUID]);
        $headers = $this->transport->requests[0]['headers'];
        $this->assertSame('atk_pub_test', $headers['x-a-track-key']);
        $this->assertSame('atrack-sdk-php/' . ATrackClient::VERSION, $headers['user-agent']);
        $this->assertSame('application/json', $headers['content-type']);
        $this->assertMatchesRegularExpression('#^atrack-sdk-php/\d+\.\d+\.\d+$#', $headers['user-agent']);
    }

    public function test_init_without_a_uuid_makes_one_and_keeps_it_across_retries(): void
    {
        $this->transport->then(new TransportException('reset', 'network_error'), FakeTransport::ok('placeholder'));
        $sdk = $this->client();
        $sdk->init(['context' => ['url' => ['href' => 'https://a-track.io/']]]);
        [$first, $second] = $this->transport->requests;
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $first['body']['uuid']);
        $this->assertSame($first['body']['uuid'], $second['body']['uuid']);
        $this->assertSame('placeholder', $sdk->getUserUuid()); // the service's answer wins
    }

    public function test_set_attributes_uses_the_uuid_of_the_last_init_and_sends_replace_as_a_boolean(): void
    {
        $sdk = $this->client();
        $sdk->init(['uuid' => self::UUID]);
        $sdk->setAttributes(['plan' => 'pro'], false);
        $sdk->setAttributes([], true, 'c0ffee00-0000-4000-8000-000000000000');
        $this->assertSame(['uuid' => self::UUID, 'attributes' => ['plan' => 'pro'], 'replace' => false], $this->transport->requests[1]['body']);
        $this->assertStringContainsString('"attributes":{}', $this->transport->requests[2]['raw']);
        $this->assertTrue($this->transport->requests[2]['body']['replace']);
    }

    public function test_a_write_without_any_uuid_is_refused_before_sending(): void
    {
        try {
            $this->client()->setAttributes(['plan' => 'pro']);
            $this->fail('no exception');
        } catch (ValidationException $e) {
            $this->assertSame(['uuid' => ['This field is required.']], $e->getFields());
        }
        $this->assertSame([], $this->transport->requests);
    }

    public function test_track_adds_an_id_and_timestamp_that_retries_keep_and_a_fresh_sent_at(): void
    {
        $this->transport->then(self::error(503, 'unavailable', [], ['retry-after' => '0']), FakeTransport::ok());
        $this->client()->track(['uuid' => self::UUID, 'event' => 'checkout_started', 'attributes' => ['cart_value' => 129.99]]);
        [$first, $second] = array_column($this->transport->requests, 'body');
        $this->assertSame($first['id'], $second['id']);
        $this->assertSame($first['timestamp'], $second['timestamp']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/', $second['sent_at']);
        $this->assertSame(129.99, $second['attributes']['cart_value']);
        $this->assertSame(['/event', '/event'], $this->transport->paths());
    }

    public function test_track_takes_the_event_attributes_and_uuid_as_arguments_too(): void
    {
        $this->client()->track('signup', ['plan' => 'pro'], self::UUID);
        $body = $this->transport->requests[0]['body'];
        $this->assertSame(['signup', ['plan' => 'pro'], self::UUID], [$body['event'], $body['attributes'], $body['uuid']]);
    }

    public function test_two_events_get_different_ids_and_a_given_id_is_kept(): void
    {
        $sdk = $this->client(['uuid' => self::UUID]);
        $sdk->track('a');
        $sdk->track('b');
        $sdk->track(['event' => 'c', 'id' => 'order-42']);
        $ids = array_map(static fn (array $r): string => $r['body']['id'], $this->transport->requests);
        $this->assertNotSame($ids[0], $ids[1]);
        $this->assertSame('order-42', $ids[2]);
    }

    public function test_retry_after_in_seconds_and_as_an_http_date_is_honoured(): void
    {
        $date = gmdate('D, d M Y H:i:s \G\M\T', time() + 30);
        $this->transport->then(
            self::error(429, 'rate_limited', [], ['retry-after' => '7']),
            self::error(503, 'unavailable', [], ['retry-after' => $date]),
            FakeTransport::ok(),
        );
        $this->client()->init(['uuid' => self::UUID]);
        $this->assertSame(7.0, $this->slept[0]);
        $this->assertEqualsWithDelta(30.0, $this->slept[1], 2.0);
    }

    public function test_retry_after_is_capped_by_max_retry_after(): void
    {
        $this->transport->then(self::error(429, 'rate_limited', [], ['retry-after' => '3600']), FakeTransport::ok());
        $this->client(['maxRetryAfter' => 5.0])->init(['uuid' => self::UUID]);
        $this->assertSame([5.0], $this->slept);
    }

    public function test_backoff_grows_exponentially_with_jitter_up_to_the_cap(): void
    {
        $failures = array_fill(0, 5, new TransportException('refused', 'network_error'));
        $this->transport->then(...$failures);
        try {
            $this->client(['maxRetries' => 4, 'backoffFactor' => 1.0, 'backoffMax' => 4.0])->init(['uuid' => self::UUID]);
            $this->fail('no exception');
        } catch (TransportException $e) {
            $this->assertSame('network_error', $e->getErrorCode());
        }
        $this->assertCount(5, $this->transport->requests);
        foreach ([[0.5, 1.0], [1.0, 2.0], [2.0, 4.0], [2.0, 4.0]] as $i => [$low, $high]) {
            $this->assertGreaterThanOrEqual($low, $this->slept[$i]);
            $this->assertLessThanOrEqual($high, $this->slept[$i]);
        }
    }

    public function test_a_timeout_is_retried_then_thrown_as_a_timeout(): void
    {
        $this->transport->then(...array_fill(0, 4, new TimeoutException('slow', 'timeout')));
        $this->expectException(TimeoutException::class);
        $this->client()->init(['uuid' => self::UUID]);
    }

    public function test_a_503_that_lasts_is_thrown_typed_with_its_retry_after(): void
    {
        $this->transport->then(...array_fill(0, 4, self::error(503, 'unavailable', [], ['retry-after' => '1'])));
        try {
            $this->client()->init(['uuid' => self::UUID]);
            $this->fail('no exception');
        } catch (ServiceUnavailableException $e) {
            $this->assertSame([503, 'unavailable', 1.0], [$e->getStatus(), $e->getErrorCode(), $e->getRetryAfter()]);
            $this->assertSame(503, $e->getCode());
        }
        $this->assertCount(4, $this->transport->requests); // 1 + maxRetries
    }

    public function test_client_errors_are_not_retried_and_carry_code_message_and_fields(): void
    {
        $cases = [
            [self::error(400, 'invalid_payload', ['uuid' => ['Must be a valid UUID.']]), ValidationException::class],
            [self::error(401, 'invalid_key'), AuthenticationException::class],
            [self::error(404, 'not_found'), NotFoundException::class],
            [self::error(418, 'teapot'), ApiException::class],
        ];
        foreach ($cases as [$answer, $class]) {
            $this->transport = new FakeTransport([$answer]);
            try {
                $this->client()->init(['uuid' => 'nope']);
                $this->fail("no {$class}");
            } catch (ATrackException $e) {
                $this->assertInstanceOf($class, $e);
                $this->assertCount(1, $this->transport->requests);
                $this->assertStringStartsWith('refused: ', $e->getMessage());
            }
        }
        $this->assertSame(['uuid' => ['Must be a valid UUID.']], ApiException::fromResponse(400, json_decode($cases[0][0]->body, true))->getFields());
    }

    public function test_an_answer_that_is_not_json_still_gives_a_typed_error(): void
    {
        $this->transport->then(new \ATrack\Http\Response(502, [], '<html>bad gateway</html>'), new \ATrack\Http\Response(400, [], 'nope'));
        try {
            $this->client()->init(['uuid' => self::UUID]);
            $this->fail('no exception');
        } catch (ValidationException $e) {
            $this->assertSame('http_400', $e->getErrorCode());
            $this->assertSame('A-TRACK answered HTTP 400.', $e->getMessage());
        }
    }

    public function test_reads_use_the_secret_key_and_leave_out_unset_options(): void
    {
        $sdk = $this->client();
        $sdk->sessionShow(self::UUID, ['events_limit' => 5]);
        $sdk->eventShow('checkout_started', ['page' => 2, 'sort' => 'asc']);
        $sdk->deleteSession(self::UUID);
        $this->assertSame(['/session/show', '/event/show', '/session/delete'], $this->transport->paths());
        $this->assertSame(['atk_sec_test'], array_unique(array_map(static fn (array $r): string => $r['headers']['x-a-track-key'], $this->transport->requests)));
        $this->assertSame(['uuid' => self::UUID, 'events_limit' => 5], $this->transport->requests[0]['body']);
        $this->assertSame(['name' => 'checkout_started', 'page' => 2, 'sort' => 'asc'], $this->transport->requests[1]['body']);
    }

    public function test_synchronous_is_added_to_every_write(): void
    {
        $sdk = $this->client(['synchronous' => true, 'uuid' => self::UUID]);
        $sdk->setAttributes(['plan' => 'pro']);
        $sdk->track('x');
        foreach ($this->transport->requests as $request) {
            $this->assertTrue($request['body']['synchronous']);
        }
    }

    public function test_batching_queues_writes_and_flush_sends_them_through_batch_in_order(): void
    {
        $sdk = $this->client(['batching' => true]);
        $answer = $sdk->init(['uuid' => self::UUID]);
        $sdk->setAttributes(['plan' => 'pro']);
        $sdk->track('checkout_started', ['cart_value' => 129.99]);
        $this->assertSame(['success' => true, 'uuid' => self::UUID, 'queued' => true], $answer);
        $this->assertSame([], $this->transport->requests);
        $this->assertSame(3, $sdk->pending());

        $this->transport->then(FakeTransport::json(200, ['success' => true, 'queued' => false, 'results' => [
            ['success' => true], ['success' => true], ['success' => true],
        ]]));
        $this->assertSame(['sent' => 3, 'failed' => 0], $sdk->flush());
        $this->assertSame(['/batch'], $this->transport->paths());
        $items = $this->transport->requests[0]['body']['batch'];
        $this->assertSame(['init', 'attributes', 'event'], array_column($items, 'type'));
        $this->assertArrayHasKey('sent_at', $items[2]);
        $this->assertArrayHasKey('id', $items[2]);
        $this->assertSame(0, $sdk->pending());
    }

    public function test_batching_sends_at_batch_size(): void
    {
        $sdk = $this->client(['batching' => true, 'batchSize' => 2, 'uuid' => self::UUID]);
        $sdk->track('a');
        $this->assertSame([], $this->transport->requests);
        $sdk->track('b');
        $this->assertSame(['/batch'], $this->transport->paths());
        $this->assertCount(2, $this->transport->requests[0]['body']['batch']);
    }

    public function test_items_the_service_refuses_go_to_on_error_and_the_rest_are_sent(): void
    {
        $reported = [];
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID, 'onError' => static function (ATrackException $e, ?array $item) use (&$reported): void {
            $reported[] = [$e->getErrorCode(), $e->getFields(), $item['event'] ?? null];
        }]);
        $sdk->track('good');
        $sdk->track('');
        $this->transport->then(FakeTransport::json(200, ['success' => false, 'queued' => false, 'results' => [
            ['success' => true],
            ['success' => false, 'error' => ['code' => 'invalid_payload', 'message' => 'bad', 'fields' => ['event' => ['This field is required.']]]],
        ]]));
        $this->assertSame(['sent' => 1, 'failed' => 1], $sdk->flush());
        $this->assertSame([['invalid_payload', ['event' => ['This field is required.']], '']], $reported);
    }

    public function test_a_flush_that_keeps_failing_keeps_the_items_and_throws(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID, 'maxRetries' => 1]);
        $sdk->track('a');
        $this->transport->then(new TransportException('down', 'network_error'), new TransportException('down', 'network_error'));
        try {
            $sdk->flush();
            $this->fail('no exception');
        } catch (TransportException) {
            $this->assertSame(1, $sdk->pending());
        }
        $this->assertSame(['sent' => 1, 'failed' => 0], $sdk->flush()); // the next flush delivers it
        $ids = array_map(static fn (array $r): string => $r['body']['batch'][0]['id'], $this->transport->requests);
        $this->assertCount(1, array_unique($ids)); // the same event every time
    }

    public function test_a_refused_batch_drops_its_items_and_reports_them(): void
    {
        $reported = [];
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID, 'onError' => static function (ATrackException $e) use (&$reported): void {
            $reported[] = $e::class;
        }]);
        $sdk->track('a');
        $sdk->track('b');
        $this->transport->then(self::error(401, 'invalid_key'));
        $this->assertSame(['sent' => 0, 'failed' => 2], $sdk->flush());
        $this->assertSame([AuthenticationException::class, AuthenticationException::class], $reported);
        $this->assertSame(0, $sdk->pending());
    }

    public function test_a_batch_too_large_is_split(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID]);
        foreach (range(1, 4) as $i) {
            $sdk->track("e{$i}");
        }
        $this->transport->then(self::error(413, 'payload_too_large'));
        $this->assertSame(['sent' => 4, 'failed' => 0], $sdk->flush());
        $this->assertSame([4, 2, 2], array_map(static fn (array $r): int => count($r['body']['batch']), $this->transport->requests));
    }

    public function test_the_queue_drops_the_oldest_write_when_full(): void
    {
        $reported = [];
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID, 'maxQueueSize' => 2, 'onError' => static function (ATrackException $e, ?array $item) use (&$reported): void {
            $reported[] = [$e::class, $item['event'] ?? null];
        }]);
        $sdk->track('a');
        $sdk->track('b');
        $sdk->track('c');
        $this->assertSame([[QueueFullException::class, 'a']], $reported);
        $this->assertSame(2, $sdk->pending());
    }

    public function test_a_read_flushes_the_queue_first(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID]);
        $sdk->track('a');
        $sdk->sessionShow();
        $this->assertSame(['/batch', '/session/show'], $this->transport->paths());
    }

    public function test_destroying_the_client_flushes_its_queue(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID]);
        $sdk->track('a');
        unset($sdk);
        $this->assertSame(['/batch'], $this->transport->paths());
    }

    public function test_a_rate_limit_during_flush_is_retried_after_retry_after(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID]);
        $sdk->track('a');
        $this->transport->then(self::error(429, 'rate_limited', [], ['retry-after' => '2']));
        $this->assertSame(['sent' => 1, 'failed' => 0], $sdk->flush());
        $this->assertSame([2.0], $this->slept);
        $this->assertInstanceOf(RateLimitException::class, ApiException::fromResponse(429, null));
    }

    public function test_batch_gives_event_items_without_an_id_one_and_keeps_given_ids(): void
    {
        $this->client()->batch([
            ['type' => 'event', 'uuid' => self::UUID, 'event' => 'a'],
            ['type' => 'event', 'uuid' => self::UUID, 'event' => 'b', 'id' => 'given'],
            ['type' => 'init', 'uuid' => self::UUID],
        ]);
        $items = $this->transport->requests[0]['body']['batch'];
        $this->assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $items[0]['id']);
        $this->assertSame('given', $items[1]['id']);
        $this->assertArrayNotHasKey('id', $items[2]);
    }

    public function test_a_value_json_cannot_hold_is_a_validation_error(): void
    {
        $this->expectException(ValidationException::class);
        $this->client()->track(['uuid' => self::UUID, 'event' => 'x', 'attributes' => ['v' => NAN]]);
    }

    public function test_a_value_json_cannot_hold_is_refused_before_it_is_queued(): void
    {
        $sdk = $this->client(['batching' => true, 'uuid' => self::UUID]);
        try {
            $sdk->track('x', ['v' => INF]);
            $this->fail('no exception');
        } catch (ValidationException $e) {
            $this->assertSame('invalid_payload', $e->getErrorCode());
        }
        $this->assertSame(0, $sdk->pending());
    }
}
