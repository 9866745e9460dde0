<?php

declare(strict_types=1);

namespace ATrack\Http;

use ATrack\Exception\ValidationException;

/** @internal the JSON of the wire: bodies out, answers in, Retry-After. */
final class Json
{
    private const FLAGS = JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES
        | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION;

    /** @param array<string, mixed> $body */
    public static function encode(array $body): string
    {
        try {
            return json_encode(self::objects($body), self::FLAGS);
        } catch (\JsonException $e) {
            throw new ValidationException('The payload is not JSON: ' . $e->getMessage(), 'invalid_payload', previous: $e);
        }
    }

    /**
     * Empty PHP arrays where the API wants objects become `{}`, not `[]`.
     *
     * @param array<string, mixed> $body
     * @return array<string, mixed>
     */
    private static function objects(array $body): array
    {
        foreach (['attributes', 'context', 'custom_data', 'url', 'client', 'user'] as $key) {
            if (array_key_exists($key, $body) && $body[$key] === []) {
                $body[$key] = new \stdClass();
            } elseif (in_array($key, ['context', 'user'], true) && is_array($body[$key] ?? null)) {
                $body[$key] = self::objects($body[$key]);
            }
        }
        if (is_array($body['batch'] ?? null)) {
            $body['batch'] = array_map(static fn (mixed $item): mixed => is_array($item) ? self::objects($item) : $item, $body['batch']);
        }
        return $body;
    }

    public static function decode(string $raw): mixed
    {
        if ($raw === '') {
            return null;
        }
        try {
            return json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            return null;
        }
    }

    /** Retry-After as seconds: delta seconds or an HTTP date. */
    public static function retryAfter(?string $value): ?float
    {
        if ($value === null || trim($value) === '') {
            return null;
        }
        if (is_numeric(trim($value))) {
            return max(0.0, (float) trim($value));
        }
        $at = \DateTimeImmutable::createFromFormat(\DateTimeInterface::RFC7231, trim($value), new \DateTimeZone('UTC'));
        return $at === false ? null : max(0.0, (float) ($at->getTimestamp() - time()));
    }
}
