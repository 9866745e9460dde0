<?php

declare(strict_types=1);

namespace ATrack\Tests\Http;

use ATrack\ATrackClient;
use ATrack\Exception\ConfigurationException;
use ATrack\Exception\TimeoutException;
use ATrack\Exception\TransportException;
use ATrack\Exception\ValidationException;
use ATrack\Tests\Support\Requirements;
use ATrack\Tests\Support\ScriptedServer;
use GuzzleHttp\Client as Guzzle;
use Nyholm\Psr7\Factory\Psr17Factory;
use PHPUnit\Framework\TestCase;

/** An injected PSR-18 client (Guzzle, with Nyholm's PSR-17 factories) against a real local server. */
final class Psr18TransportTest extends TestCase
{
    private static ?ScriptedServer $server = null;
    /** @var list<float> */
    private array $slept = [];

    public static function tearDownAfterClass(): void
    {
        self::$server?->stop();
    }

    protected function setUp(): void
    {
        Requirements::require(
            class_exists(Guzzle::class) && class_exists(Psr17Factory::class),
            'needs Guzzle and nyholm/psr7 (Debian: php-guzzlehttp-guzzle php-nyholm-psr7)',
        );
        self::$server ??= new ScriptedServer();
        $this->slept = [];
    }

    /** @param array<string, mixed> $options */
    private function client(string $path, array $guzzle = [], array $options = []): ATrackClient
    {
        $factory = new Psr17Factory();
        return new ATrackClient($options + [
            'publicKey' => 'atk_pub_test',
            'endpoint' => self::$server->url . $path,
            'httpClient' => new Guzzle($guzzle), // PSR-18's sendRequest never throws on a status
            'requestFactory' => $factory,
            'streamFactory' => $factory,
            'sleep' => function (float $seconds): void {
                $this->slept[] = $seconds;
            },
        ]);
    }

    public function test_requests_go_through_the_injected_client(): void
    {
        $echo = $this->client('/echo#', ['headers' => ['x-through' => 'guzzle']])->init(['uuid' => 'b19412c6-6a91-4e18-890d-e2269a0d1249'])['echo'];
        $this->assertSame('guzzle', $echo['headers']['x-through']);
        $this->assertSame('atrack-sdk-php/' . ATrackClient::VERSION, $echo['headers']['user-agent']);
        $this->assertSame('atk_pub_test', $echo['headers']['x-a-track-key']);
        $this->assertSame('b19412c6-6a91-4e18-890d-e2269a0d1249', $echo['body']['uuid']);
    }

    public function test_error_answers_are_typed_and_retried_as_with_curl(): void
    {
        $name = 'psr' . bin2hex(random_bytes(4));
        $this->client("/flaky/{$name}/1#")->init();
        $this->assertSame([0.0], $this->slept);
        @unlink(sys_get_temp_dir() . "/atrack-php-flaky-{$name}");
        $this->expectException(ValidationException::class);
        $this->client('/status/400?')->init();
    }

    public function test_network_errors_and_timeouts_become_the_sdks_exceptions(): void
    {
        try {
            $this->client('/slow?seconds=3&', ['timeout' => 0.3], ['maxRetries' => 0])->init();
            $this->fail('no timeout');
        } catch (TimeoutException $e) {
            $this->assertInstanceOf(\Psr\Http\Client\NetworkExceptionInterface::class, $e->getPrevious());
        }
        $port = ScriptedServer::freePort();
        $factory = new Psr17Factory();
        $sdk = new ATrackClient([
            'publicKey' => 'atk_pub_test', 'endpoint' => "http://127.0.0.1:{$port}", 'maxRetries' => 0,
            'httpClient' => new Guzzle(), 'requestFactory' => $factory, 'streamFactory' => $factory,
        ]);
        $this->expectException(TransportException::class);
        $sdk->init();
    }

    public function test_a_client_without_factories_is_a_configuration_error(): void
    {
        $this->expectException(ConfigurationException::class);
        new ATrackClient(['publicKey' => 'k', 'endpoint' => 'http://x', 'httpClient' => new Guzzle()]);
    }
}
