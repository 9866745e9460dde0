<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

use ATrack\ATrackClient;

/** The live A-TRACK service the `live` suite runs against (started by ./check). */
final class LiveService
{
    public function __construct(
        public readonly string $endpoint,
        public readonly string $publicKey,
        public readonly string $secretKey,
    ) {
    }

    public static function get(): self
    {
        $endpoint = (string) getenv('ATRACK_ENDPOINT');
        $public = (string) getenv('ATRACK_PUBLIC_KEY');
        $secret = (string) getenv('ATRACK_SECRET_KEY');
        Requirements::require(
            $endpoint !== '' && $public !== '' && $secret !== '',
            'needs a live A-TRACK service: run ./check, or set ATRACK_ENDPOINT, ATRACK_PUBLIC_KEY and ATRACK_SECRET_KEY',
        );
        return new self($endpoint, $public, $secret);
    }

    /** @param array<string, mixed> $options */
    public function client(array $options = []): ATrackClient
    {
        return new ATrackClient($options + [
            'publicKey' => $this->publicKey,
            'secretKey' => $this->secretKey,
            'endpoint' => $this->endpoint,
        ]);
    }

    public static function newUuid(): string
    {
        $hex = bin2hex(random_bytes(16));
        $hex[12] = '4';
        $hex[16] = 'a';
        return implode('-', [substr($hex, 0, 8), substr($hex, 8, 4), substr($hex, 12, 4), substr($hex, 16, 4), substr($hex, 20)]);
    }
}
