<?php

declare(strict_types=1);

namespace ATrack;

use ATrack\Exception\ApiException;
use ATrack\Exception\ATrackException;
use ATrack\Exception\ConfigurationException;
use ATrack\Exception\PayloadTooLargeException;
use ATrack\Exception\QueueFullException;
use ATrack\Exception\ValidationException;
use ATrack\Http\CurlTransport;
use ATrack\Http\Json;
use ATrack\Http\Psr18Transport;
use ATrack\Http\Sender;

/**
 * A client of one A-TRACK project.
 *
 * The public key writes (init, attributes, events); the secret key also reads and erases.
 * Each call is retried on network errors, timeouts, 408, 429 and 5xx with exponential
 * back-off and jitter (or after Retry-After), then throws a typed ATrackException. With
 * `batching`, writes are queued and sent through /batch: on flush(), at `batchSize`
 * items, before a read, and when the client is destroyed or the script ends.
 */
final class ATrackClient
{
    public const VERSION = '0.1.0';

    private const MAX_BATCH_ITEMS = 100;
    private const MAX_BATCH_BYTES = 500 * 1024; // the service takes 512 KiB per /batch

    private const DEFAULTS = [
        'publicKey' => null,
        'secretKey' => null,
        'endpoint' => null,
        'timeout' => 10.0,
        'connectTimeout' => 5.0,
        'maxRetries' => 3,
        'backoffFactor' => 0.5,
        'backoffMax' => 30.0,
        'maxRetryAfter' => 300.0,
        'synchronous' => false,
        'uuid' => null,
        'batching' => false,
        'batchSize' => 50,
        'maxQueueSize' => 10000,
        'onError' => null,
        'transport' => null,
        'httpClient' => null,
        'requestFactory' => null,
        'streamFactory' => null,
        'userAgent' => 'atrack-sdk-php/' . self::VERSION,
        'sleep' => null,
    ];

    private readonly ?string $publicKey;
    private readonly ?string $secretKey;
    private readonly Sender $sender;
    private readonly bool $synchronous;
    private readonly bool $batching;
    private int $batchSize;
    private readonly int $maxQueueSize;
    /** @var (callable(ATrackException, array<string, mixed>|null): void)|null */
    private $onError;
    private ?string $uuid;
    /** @var list<array<string, mixed>> */
    private array $queue = [];
    private readonly int $pid;

    /**
     * @param array<string, mixed> $options publicKey, secretKey, endpoint (default
     *     $ATRACK_ENDPOINT), timeout, connectTimeout, maxRetries, backoffFactor, backoffMax,
     *     maxRetryAfter, synchronous, uuid, batching, batchSize, maxQueueSize, onError,
     *     transport | httpClient (+ requestFactory, streamFactory), userAgent, sleep
     */
    public function __construct(array $options = [])
    {
        $unknown = array_diff(array_keys($options), array_keys(self::DEFAULTS));
        if ($unknown !== []) {
            throw new ConfigurationException('unknown option(s): ' . implode(', ', $unknown), 'unknown_option');
        }
        $o = $options + self::DEFAULTS;
        $endpoint = self::endpointFrom($o['endpoint']);
        $this->publicKey = self::stringOrNull($o['publicKey']);
        $this->secretKey = self::stringOrNull($o['secretKey']);
        if ($this->publicKey === null && $this->secretKey === null) {
            throw new ConfigurationException('publicKey (or secretKey) is required', 'missing_key');
        }
        $transport = $o['transport'] ?? ($o['httpClient'] !== null
            ? new Psr18Transport($o['httpClient'], $o['requestFactory'], $o['streamFactory'])
            : new CurlTransport((float) $o['timeout'], (float) $o['connectTimeout']));
        $this->sender = new Sender(
            $transport,
            $endpoint,
            (string) $o['userAgent'],
            max(0, (int) $o['maxRetries']),
            (float) $o['backoffFactor'],
            (float) $o['backoffMax'],
            (float) $o['maxRetryAfter'],
            $o['sleep'] ?? static function (float $seconds): void {
                usleep((int) round($seconds * 1_000_000));
            },
        );
        $this->synchronous = (bool) $o['synchronous'];
        $this->batching = (bool) $o['batching'];
        $this->batchSize = min(self::MAX_BATCH_ITEMS, max(1, (int) $o['batchSize']));
        $this->maxQueueSize = max(1, (int) $o['maxQueueSize']);
        $this->onError = $o['onError'];
        $uuid = self::stringOrNull($o['uuid']);
        $this->uuid = $uuid === null ? null : strtolower($uuid);
        $this->pid = getmypid() ?: 0;
        if ($this->batching) {
            $client = \WeakReference::create($this);
            register_shutdown_function(static function () use ($client): void {
                $client->get()?->close();
            });
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    // ---------------------------------------------------------------- identity

    /** The UUID of the last init (or the `uuid` option), used by calls that name none. */
    public function getUserUuid(): ?string
    {
        return $this->uuid;
    }

    public function setUserUuid(?string $uuid): void
    {
        $this->uuid = $uuid === null ? null : strtolower($uuid);
    }

    // ---------------------------------------------------------------- writes

    /**
     * POST /init: create or continue a session.
     *
     * Without a `uuid` one is made here, so a retried init stays one session.
     *
     * @param array<string, mixed> $payload uuid, context, custom_data, synchronous
     * @return array<string, mixed> ['success' => true, 'uuid' => ..., 'queued' => bool]
     */
    public function init(array $payload = []): array
    {
        if (!is_string($payload['uuid'] ?? null) || $payload['uuid'] === '') {
            $payload['uuid'] = self::uuid4();
        }
        $this->uuid = strtolower($payload['uuid']);
        $result = $this->write('init', $payload);
        if (is_string($result['uuid'] ?? null)) {
            $this->uuid = $result['uuid'];
        }
        return $result;
    }

    /**
     * POST /attributes: merge the attributes into the session (replace them all with $replace).
     *
     * @param array<string, mixed> $attributes
     * @return array<string, mixed>
     */
    public function setAttributes(array $attributes, bool $replace = false, ?string $uuid = null): array
    {
        return $this->write('attributes', [
            'uuid' => $this->uuidFor($uuid),
            'attributes' => $attributes,
            'replace' => $replace,
        ]);
    }

    /**
     * POST /event: track(['uuid' => ..., 'event' => ..., 'attributes' => [...]]) or
     * track($event, $attributes, $uuid).
     *
     * Adds an event `id` (the service stores one event per id, so retries never
     * duplicate), `timestamp` (now) and, at each attempt, `sent_at`.
     *
     * @param array<string, mixed>|string $payload
     * @param array<string, mixed>|null $attributes
     * @return array<string, mixed>
     */
    public function track(array|string $payload, ?array $attributes = null, ?string $uuid = null): array
    {
        $body = is_string($payload) ? ['event' => $payload] : $payload;
        if (is_string($payload) && $attributes !== null) {
            $body['attributes'] = $attributes;
        }
        $given = is_string($payload) ? $uuid : ($body['uuid'] ?? null);
        $body['uuid'] = $this->uuidFor(is_string($given) ? $given : null);
        $body['timestamp'] ??= self::nowIso();
        $body['id'] ??= self::uuid4();
        return $this->write('event', $body);
    }

    /**
     * POST /batch with items ['type' => 'init'|'attributes'|'event', ...] (at most 100).
     *
     * Event items without an `id` get one, so that a retried batch stores them once.
     *
     * @param list<array<string, mixed>> $items
     * @return array<string, mixed> the answer, with a result per item
     */
    public function batch(array $items): array
    {
        $items = array_values($items);
        foreach ($items as &$entry) {
            if (($entry['type'] ?? null) === 'event') {
                $entry['id'] ??= self::uuid4(); // a re-sent batch stores each event once
            }
        }
        unset($entry);
        $body = ['batch' => $items];
        if ($this->synchronous) {
            $body['synchronous'] = true;
        }
        return $this->sender->post('/batch', function () use (&$body): array {
            foreach ($body['batch'] as &$item) {
                if (($item['type'] ?? null) === 'event') {
                    $item['sent_at'] = self::nowIso();
                }
            }
            return $body;
        }, $this->writeKey());
    }

    // ---------------------------------------------------------------- reads (secret key)

    /**
     * POST /session/show: the enriched session with its attributes and events.
     *
     * @param array{events_limit?: int, sort?: string} $options
     * @return array<string, mixed>
     */
    public function sessionShow(?string $uuid = null, array $options = []): array
    {
        return $this->read('/session/show', ['uuid' => $this->uuidFor($uuid)] + $options);
    }

    /**
     * POST /event/show: one page of the events called $name.
     *
     * @param array{page?: int, per_page?: int, sort?: string, uuid?: string, from?: string, to?: string} $options
     * @return array<string, mixed>
     */
    public function eventShow(string $name, array $options = []): array
    {
        return $this->read('/event/show', ['name' => $name] + $options);
    }

    /**
     * POST /session/delete: erase the session with its attributes and events.
     *
     * @return array<string, mixed>
     */
    public function deleteSession(?string $uuid = null): array
    {
        return $this->read('/session/delete', ['uuid' => $this->uuidFor($uuid)]);
    }

    // ---------------------------------------------------------------- batching

    /** Writes waiting in the queue (batching). */
    public function pending(): int
    {
        return count($this->queue);
    }

    /**
     * Send every queued write through /batch.
     *
     * Items the service refuses are counted as failed and passed to onError. A failure
     * that outlasts the retries (no answer, 408, 429, 5xx) leaves the unsent items queued
     * and is thrown.
     *
     * @return array{sent: int, failed: int}
     */
    public function flush(): array
    {
        $summary = ['sent' => 0, 'failed' => 0];
        while (($chunk = $this->nextChunk()) !== []) {
            try {
                $answer = $this->batch($chunk);
            } catch (ATrackException $error) {
                $this->batchFailed($error, $chunk, $summary);
                continue;
            }
            $results = is_array($answer['results'] ?? null) ? array_values($answer['results']) : [];
            foreach ($chunk as $i => $item) {
                $result = $results[$i] ?? null;
                if (is_array($result) && ($result['success'] ?? true) === false) {
                    $summary['failed']++;
                    $this->report(ApiException::fromResponse(400, $result), $item);
                } else {
                    $summary['sent']++;
                }
            }
        }
        return $summary;
    }

    /** Flush, passing any failure to onError: run when the client is destroyed. */
    public function close(): void
    {
        if ($this->queue === [] || $this->pid !== (getmypid() ?: 0)) {
            return;
        }
        try {
            $this->flush();
        } catch (ATrackException $error) {
            foreach ($this->queue as $item) {
                $this->report($error, $item);
            }
            $this->queue = [];
        }
    }

    // ---------------------------------------------------------------- internals

    private static function endpointFrom(mixed $given): string
    {
        $endpoint = self::stringOrNull($given) ?? self::stringOrNull(getenv('ATRACK_ENDPOINT'));
        if ($endpoint === null) {
            throw new ConfigurationException(
                'endpoint is required (or set ATRACK_ENDPOINT): the base URL of the A-TRACK service',
                'missing_endpoint',
            );
        }
        if (preg_match('#^https?://[^/\s]+#i', $endpoint) !== 1) {
            throw new ConfigurationException("endpoint must be an http(s) URL, not '{$endpoint}'", 'invalid_endpoint');
        }
        return rtrim($endpoint, '/');
    }

    private static function stringOrNull(mixed $value): ?string
    {
        return is_string($value) && $value !== '' ? $value : null;
    }

    private function writeKey(): string
    {
        return (string) ($this->publicKey ?? $this->secretKey);
    }

    private function readKey(): string
    {
        return (string) ($this->secretKey ?? $this->publicKey);
    }

    private function uuidFor(?string $uuid): string
    {
        $uuid = $uuid !== null && $uuid !== '' ? $uuid : $this->uuid;
        if ($uuid === null) {
            throw new ValidationException(
                'No session UUID: pass one or call init first.',
                'invalid_payload',
                null,
                ['uuid' => ['This field is required.']],
            );
        }
        return $uuid;
    }

    /**
     * @param array<string, mixed> $body
     * @return array<string, mixed>
     */
    private function write(string $kind, array $body): array
    {
        if ($this->synchronous) {
            $body['synchronous'] ??= true;
        }
        if ($this->batching) {
            return $this->enqueue($kind, $body);
        }
        return $this->sender->post("/{$kind}", static function () use ($kind, $body): array {
            if ($kind === 'event') {
                $body['sent_at'] = self::nowIso(); // lets the service correct clock skew
            }
            return $body;
        }, $this->writeKey());
    }

    /**
     * @param array<string, mixed> $body
     * @return array<string, mixed>
     */
    private function read(string $path, array $body): array
    {
        if ($this->queue !== []) {
            $this->flush(); // read what was written
        }
        $clean = array_filter($body, static fn (mixed $value): bool => $value !== null);
        return $this->sender->post($path, static fn (): array => $clean, $this->readKey());
    }

    /**
     * @param array<string, mixed> $body
     * @return array<string, mixed>
     */
    private function enqueue(string $kind, array $body): array
    {
        $item = ['type' => $kind] + $body;
        Json::encode($item); // refused now, not with the batch it would spoil
        $this->queue[] = $item;
        if (count($this->queue) > $this->maxQueueSize) {
            $dropped = array_shift($this->queue);
            $this->report(
                new QueueFullException('The A-TRACK queue is full; the oldest write was dropped.', 'queue_full'),
                $dropped,
            );
        }
        if (count($this->queue) >= $this->batchSize) {
            try {
                $this->flush();
            } catch (ATrackException $error) {
                $this->report($error, null); // the writes stay queued for the next flush
            }
        }
        return ['success' => true, 'uuid' => $body['uuid'] ?? null, 'queued' => true];
    }

    /** @return list<array<string, mixed>> the oldest queued items that fit one /batch */
    private function nextChunk(): array
    {
        $count = 0;
        $bytes = 0;
        $limit = min($this->batchSize, count($this->queue));
        while ($count < $limit) {
            $size = strlen(Json::encode($this->queue[$count]));
            if ($count > 0 && $bytes + $size > self::MAX_BATCH_BYTES * 0.8) {
                break;
            }
            $bytes += $size;
            $count++;
        }
        return array_splice($this->queue, 0, $count);
    }

    /**
     * A transient failure puts the chunk back and rethrows; a refusal drops and reports it.
     *
     * @param list<array<string, mixed>> $chunk
     * @param array{sent: int, failed: int} $summary
     */
    private function batchFailed(ATrackException $error, array $chunk, array &$summary): void
    {
        if ($error instanceof PayloadTooLargeException && count($chunk) > 1) {
            $this->batchSize = max(1, intdiv(count($chunk), 2));
            array_unshift($this->queue, ...$chunk); // sent again in smaller batches
            return;
        }
        if (Sender::transient($error)) {
            array_unshift($this->queue, ...$chunk);
            throw $error;
        }
        $summary['failed'] += count($chunk);
        foreach ($chunk as $item) {
            $this->report($error, $item);
        }
    }

    /** @param array<string, mixed>|null $item */
    private function report(ATrackException $error, ?array $item): void
    {
        if ($this->onError !== null) {
            try {
                ($this->onError)($error, $item);
            } catch (\Throwable $e) {
                error_log('A-TRACK onError callback failed: ' . $e->getMessage());
            }
            return;
        }
        $what = is_string($item['type'] ?? null) ? " ({$item['type']})" : '';
        error_log(sprintf('A-TRACK write failed%s: %s: %s', $what, $error::class, $error->getMessage()));
    }

    private static function nowIso(): string
    {
        return (new \DateTimeImmutable('now', new \DateTimeZone('UTC')))->format('Y-m-d\TH:i:s.u\Z');
    }

    private static function uuid4(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }
}
