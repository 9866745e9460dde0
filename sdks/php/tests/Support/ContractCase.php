<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

use ATrack\ATrackClient;
use ATrack\Exception\ATrackException;
use ATrack\Exception\TransportException;
use ATrack\Http\CurlTransport;

/**
 * One case of the contract suite (sdks/contract/README.md), played with the PHP SDK.
 *
 * Expectations are decoded with objects as \stdClass so that `{}` and `[]` stay apart;
 * request bodies and SDK arguments as PHP arrays, the way a PHP caller writes them.
 */
final class ContractCase
{
    public const INVALID_KEY = 'atk_pub_0000000000000000000000000000000000000000';
    private const TARGETS = ['service' => 'endpoint', 'limited' => 'limited_endpoint', 'proxy' => 'proxy_endpoint'];

    /** @var array<string, string> */
    private array $uuids = [];
    /** @var array<string, mixed> */
    private array $vars = [];

    /** @param array<string, mixed> $service the launcher's JSON line */
    public function __construct(private readonly string $path, private readonly array $service)
    {
    }

    /** Play every step; a failing step throws \AssertionError naming it. */
    public function play(): void
    {
        $spec = json_decode((string) file_get_contents($this->path), false, 512, JSON_THROW_ON_ERROR);
        foreach ($spec->steps as $index => $raw) {
            $step = $this->fill($raw);
            try {
                $this->playStep($step);
            } catch (\AssertionError $e) {
                throw new \AssertionError(sprintf('step %d (%s): %s', $index + 1, $step->name, $e->getMessage()));
            }
        }
    }

    private function fill(mixed $value): mixed
    {
        if ($value instanceof \stdClass) {
            $filled = new \stdClass();
            foreach (get_object_vars($value) as $key => $item) {
                $filled->{$this->fill((string) $key)} = $this->fill($item);
            }
            return $filled;
        }
        if (is_array($value)) {
            return array_map($this->fill(...), $value);
        }
        if (is_string($value)) {
            return preg_replace_callback('/\{\{(\w+)(?::([^}]*))?\}\}/', fn (array $m): string => $this->placeholder($m[1], $m[2] ?? null), $value);
        }
        return $value;
    }

    private function placeholder(string $name, ?string $argument): string
    {
        return match ($name) {
            'uuid' => $this->uuids[(string) $argument] ??= LiveService::newUuid(),
            'UUID' => strtoupper($this->uuids[(string) $argument] ??= LiveService::newUuid()),
            'var' => (string) $this->vars[(string) $argument],
            'pad' => str_repeat('x', (int) $argument),
            'invalid_key' => self::INVALID_KEY,
            default => (string) $this->service[$name],
        };
    }

    private function playStep(\stdClass $step): void
    {
        $endpoint = (string) $this->service[self::TARGETS[$step->target ?? 'service']];
        if (isset($step->fault)) {
            self::post((string) $this->service['fault_url'], json_encode($step->fault, JSON_THROW_ON_ERROR), ['content-type' => 'application/json']);
        }
        $expect = $step->expect;
        for ($attempt = 0; $attempt < ($step->attempts ?? 1); $attempt++) {
            $started = hrtime(true);
            [$status, $body, $headers] = isset($step->http) ? $this->http($endpoint, $step->http) : $this->call($endpoint, $step);
            $elapsedMs = (hrtime(true) - $started) / 1e6;
            if ($status === $expect->status) {
                break;
            }
        }
        self::check($expect, $status, $body, $headers, $elapsedMs, isset($step->call));
        foreach (get_object_vars($step->save ?? new \stdClass()) as $name => $path) {
            $this->vars[$name] = self::dig($body, (string) $path);
        }
    }

    /** @return array{int, mixed, array<string, string>} */
    private function http(string $endpoint, \stdClass $request): array
    {
        $body = isset($request->raw_body) ? (string) $request->raw_body : json_encode($request->body ?? null, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        return self::post($endpoint . $request->path, $body, (array) ($request->headers ?? []));
    }

    /** @return array{int, mixed, array<string, string>} */
    private function call(string $endpoint, \stdClass $step): array
    {
        $key = $step->key ?? 'both';
        $client = new ATrackClient([
            'publicKey' => $key === 'invalid' ? self::INVALID_KEY : (string) $this->service['public_key'],
            'secretKey' => $key === 'both' ? (string) $this->service['secret_key'] : null,
            'endpoint' => $endpoint,
            'maxRetries' => $step->retries ?? 3,
        ]);
        $args = self::arrays($step->call->args ?? new \stdClass());
        try {
            $result = match ($step->call->op) {
                'init' => $client->init($args['payload']),
                'track' => $client->track($args['payload']),
                'batch' => $client->batch($args['items']),
                'set_attributes' => $client->setAttributes($args['attributes'], $args['replace'] ?? false, $args['uuid'] ?? null),
                'session_show' => $client->sessionShow($args['uuid'], array_diff_key($args, ['uuid' => 1])),
                'event_show' => $client->eventShow($args['name'], array_diff_key($args, ['name' => 1])),
                'delete_session' => $client->deleteSession($args['uuid']),
            };
        } catch (ATrackException $error) {
            return [$error->getStatus() ?? 0, [
                'code' => $error->getErrorCode(),
                'fields' => $error->getFields(),
                'retry_after' => $error->getRetryAfter(),
            ], []];
        }
        return [200, $result, []];
    }

    /** JSON objects as PHP arrays, the way a PHP caller passes them. */
    private static function arrays(mixed $value): mixed
    {
        return json_decode(json_encode($value, JSON_THROW_ON_ERROR), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * A raw POST with curl (the SDK's CurlTransport sends exactly the listed headers).
     *
     * @param array<string, string> $headers
     * @return array{int, mixed, array<string, string>}
     */
    private static function post(string $url, string $body, array $headers): array
    {
        try {
            $response = (new CurlTransport(30.0, 30.0))->post($url, $headers, $body);
        } catch (TransportException $e) {
            throw new \AssertionError("no answer from {$url}: " . $e->getMessage());
        }
        return [$response->status, $response->body === '' ? null : json_decode($response->body, true), $response->headers];
    }

    private static function dig(mixed $body, string $path): mixed
    {
        foreach (explode('.', $path) as $part) {
            $body = $body[is_numeric($part) ? (int) $part : $part];
        }
        return $body;
    }

    /** @param array<string, string> $headers */
    private static function check(\stdClass $expect, int $status, mixed $body, array $headers, float $elapsedMs, bool $isCall): void
    {
        $wanted = $expect->status;
        $shown = json_encode($body, JSON_UNESCAPED_SLASHES);
        if ($isCall && $wanted >= 200 && $wanted < 300) {
            self::assert($status === 200, "expected success, got {$status} {$shown}");
        } else {
            self::assert($status === $wanted, "expected HTTP {$wanted}, got {$status} {$shown}");
        }
        if (isset($expect->error)) {
            $code = $isCall ? $body['code'] : ($body['error']['code'] ?? null);
            self::assert($code === $expect->error, "expected error {$expect->error}, got " . json_encode($code));
        }
        foreach ($expect->fields ?? [] as $name) {
            $fields = ($isCall ? $body['fields'] : ($body['error']['fields'] ?? [])) ?? [];
            self::assert(array_key_exists($name, $fields), "expected a message for field {$name}, got " . json_encode($fields));
        }
        if (($expect->retry_after ?? false) === true) {
            self::assert($body['retry_after'] !== null, 'expected retry_after on the error');
        }
        foreach (get_object_vars($expect->headers ?? new \stdClass()) as $name => $pattern) {
            self::assert(array_key_exists($name, $headers), "expected header {$name}, got " . implode(', ', array_keys($headers)));
            self::match($pattern, $headers[$name], "header {$name}");
        }
        if (property_exists($expect, 'json')) {
            self::match($expect->json, $body, 'body');
        }
        $least = $expect->min_elapsed_ms ?? 0;
        self::assert($elapsedMs >= $least, sprintf('took only %.0f ms, not %d', $elapsedMs, $least));
    }

    private static function match(mixed $expected, mixed $actual, string $where): void
    {
        $got = json_encode($actual, JSON_UNESCAPED_SLASHES);
        if (is_string($expected) && preg_match('/^<(any|string|int|number|uuid|timestamp)>$/', $expected) === 1) {
            if ($expected === '<int>' && str_starts_with($where, 'header') && is_string($actual) && ctype_digit($actual)) {
                return;
            }
            $ok = match ($expected) {
                '<any>' => true,
                '<string>' => is_string($actual),
                '<int>' => is_int($actual),
                '<number>' => is_int($actual) || is_float($actual),
                '<uuid>' => is_string($actual) && preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/', $actual) === 1,
                '<timestamp>' => is_string($actual) && preg_match('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/', $actual) === 1,
            };
            self::assert($ok, "{$where}: {$got} is not {$expected}");
        } elseif ($expected instanceof \stdClass) {
            // A decoded JSON object is an array in PHP (an empty one for `{}`).
            self::assert(is_array($actual) && ($actual === [] || !array_is_list($actual) || get_object_vars($expected) === []), "{$where}: expected an object, got {$got}");
            foreach (get_object_vars($expected) as $key => $value) {
                if ($value === '<absent>') {
                    self::assert(!array_key_exists($key, $actual), "{$where}.{$key} should be absent");
                    continue;
                }
                self::assert(array_key_exists($key, $actual), "{$where}.{$key} is missing (have " . implode(', ', array_keys($actual)) . ')');
                self::match($value, $actual[$key], "{$where}.{$key}");
            }
        } elseif (is_array($expected)) {
            self::assert(is_array($actual) && array_is_list($actual), "{$where}: expected an array, got {$got}");
            self::assert(count($actual) === count($expected), sprintf('%s: %d items, not %d', $where, count($actual), count($expected)));
            foreach ($expected as $index => $want) {
                self::match($want, $actual[$index], "{$where}[{$index}]");
            }
        } elseif (is_string($expected) && is_string($actual) && str_starts_with($where, 'header')) {
            self::assert(trim(explode(';', $actual)[0]) === $expected, "{$where}: {$got} != {$expected}");
        } elseif ((is_int($expected) || is_float($expected)) && (is_int($actual) || is_float($actual))) {
            self::assert($expected == $actual, "{$where}: {$got} != " . json_encode($expected));
        } else {
            self::assert($expected === $actual, "{$where}: {$got} != " . json_encode($expected, JSON_UNESCAPED_SLASHES));
        }
    }

    private static function assert(bool $condition, string $message): void
    {
        if (!$condition) {
            throw new \AssertionError($message);
        }
    }
}
