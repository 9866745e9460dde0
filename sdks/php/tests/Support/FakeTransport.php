<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

use ATrack\Http\Response;
use ATrack\Http\Transport;

/** Answers from a script (a Response or a Throwable per request) and records each request. */
final class FakeTransport implements Transport
{
    /** @var list<array{url: string, headers: array<string, string>, body: array<string, mixed>, raw: string}> */
    public array $requests = [];

    /** @param list<Response|\Throwable> $script */
    public function __construct(private array $script = [])
    {
    }

    /** @param array<string, mixed> $body */
    public static function json(int $status, array $body, array $headers = []): Response
    {
        return new Response($status, $headers, json_encode($body, JSON_THROW_ON_ERROR));
    }

    public static function ok(string $uuid = 'b19412c6-6a91-4e18-890d-e2269a0d1249'): Response
    {
        return self::json(200, ['success' => true, 'uuid' => $uuid, 'queued' => false]);
    }

    public function then(Response|\Throwable ...$answers): self
    {
        array_push($this->script, ...$answers);
        return $this;
    }

    public function post(string $url, array $headers, string $body): Response
    {
        $this->requests[] = [
            'url' => $url,
            'headers' => $headers,
            'body' => json_decode($body, true, 512, JSON_THROW_ON_ERROR),
            'raw' => $body,
        ];
        $answer = array_shift($this->script) ?? self::ok();
        if ($answer instanceof \Throwable) {
            throw $answer;
        }
        return $answer;
    }

    /** @return list<string> the paths requested, in order */
    public function paths(): array
    {
        return array_map(static fn (array $r): string => (string) parse_url($r['url'], PHP_URL_PATH), $this->requests);
    }
}
