<?php

declare(strict_types=1);

namespace ATrack\Tests\Http;

use ATrack\ATrackClient;
use ATrack\Exception\RateLimitException;
use ATrack\Exception\TimeoutException;
use ATrack\Exception\TransportException;
use ATrack\Http\CurlTransport;
use ATrack\Tests\Support\ScriptedServer;
use PHPUnit\Framework\TestCase;

/** The default curl transport against a real local HTTP server. */
final class CurlTransportTest extends TestCase
{
    private static ScriptedServer $server;
    /** @var list<float> */
    private array $slept = [];

    public static function setUpBeforeClass(): void
    {
        self::$server = new ScriptedServer();
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    /** @param array<string, mixed> $options */
    private function client(string $base, array $options = []): ATrackClient
    {
        $this->slept = [];
        return new ATrackClient($options + [
            'publicKey' => 'atk_pub_test',
            'endpoint' => $base,
            'sleep' => function (float $seconds): void {
                $this->slept[] = $seconds;
            },
        ]);
    }

    public function test_a_request_carries_the_key_the_user_agent_and_the_json_body(): void
    {
        $answer = $this->client(self::$server->url . '/echo#')->track(['uuid' => 'u', 'event' => 'x', 'attributes' => ['v' => 1.0, 'é' => 'ü']]);
        $echo = $answer['echo'];
        $this->assertSame('POST', $echo['method']);
        $this->assertSame('atk_pub_test', $echo['headers']['x-a-track-key']);
        $this->assertSame('atrack-sdk-php/' . ATrackClient::VERSION, $echo['headers']['user-agent']);
        $this->assertSame('application/json', $echo['headers']['content-type']);
        $this->assertSame(['v' => 1, 'é' => 'ü'], $echo['body']['attributes']);
        $this->assertStringContainsString('"attributes":{"v":1.0,"é":"ü"}', $echo['raw']); // floats stay floats
        $this->assertArrayHasKey('id', $echo['body']);
    }

    public function test_a_503_is_retried_over_http_until_it_succeeds(): void
    {
        $name = 'curl' . bin2hex(random_bytes(4));
        $answer = $this->client(self::$server->url . "/flaky/{$name}/2#")->init(['uuid' => 'b19412c6-6a91-4e18-890d-e2269a0d1249']);
        $this->assertSame('b19412c6-6a91-4e18-890d-e2269a0d1249', $answer['echo']['body']['uuid']);
        $this->assertSame([0.0, 0.0], $this->slept); // Retry-After: 0, twice
        @unlink(sys_get_temp_dir() . "/atrack-php-flaky-{$name}");
    }

    public function test_the_retry_after_header_reaches_the_exception(): void
    {
        try {
            $this->client(self::$server->url . '/status/429?retry_after=3&', ['maxRetries' => 0])->init();
            $this->fail('no exception');
        } catch (RateLimitException $e) {
            $this->assertSame([429, 3.0, 'scripted_429'], [$e->getStatus(), $e->getRetryAfter(), $e->getErrorCode()]);
        }
    }

    public function test_a_slow_answer_is_a_timeout(): void
    {
        $started = microtime(true);
        try {
            $this->client(self::$server->url . '/slow?seconds=3&', ['timeout' => 0.3, 'maxRetries' => 1])->init();
            $this->fail('no exception');
        } catch (TimeoutException $e) {
            $this->assertSame('timeout', $e->getErrorCode());
        }
        $this->assertCount(1, $this->slept);
        $this->assertLessThan(2.5, microtime(true) - $started);
    }

    public function test_a_refused_connection_is_a_transport_error_after_the_retries(): void
    {
        $port = ScriptedServer::freePort();
        try {
            $this->client("http://127.0.0.1:{$port}", ['maxRetries' => 2])->init();
            $this->fail('no exception');
        } catch (TransportException $e) {
            $this->assertNotInstanceOf(TimeoutException::class, $e);
            $this->assertSame('network_error', $e->getErrorCode());
            $this->assertNull($e->getStatus());
        }
        $this->assertCount(2, $this->slept);
    }

    public function test_the_transport_sends_exactly_the_given_headers(): void
    {
        $response = (new CurlTransport(2.0))->post(self::$server->url . '/echo', ['x-a-track-key' => 'k'], '{}');
        $headers = json_decode($response->body, true)['echo']['headers'];
        $this->assertArrayNotHasKey('content-type', $headers); // curl's form default is dropped
        $this->assertArrayNotHasKey('accept', $headers);
        $this->assertSame('k', $headers['x-a-track-key']);
    }

    public function test_the_transport_reuses_one_handle_for_many_requests(): void
    {
        $transport = new CurlTransport(2.0);
        foreach (range(1, 3) as $i) {
            $response = $transport->post(self::$server->url . '/echo', ['x-n' => (string) $i], '{}');
            $this->assertSame(200, $response->status);
            $this->assertSame((string) $i, json_decode($response->body, true)['echo']['headers']['x-n']);
            $this->assertSame('application/json', $response->header('Content-Type'));
        }
    }
}
