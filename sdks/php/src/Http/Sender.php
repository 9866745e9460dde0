<?php

declare(strict_types=1);

namespace ATrack\Http;

use ATrack\Exception\ApiException;
use ATrack\Exception\ATrackException;
use ATrack\Exception\TransportException;

/**
 * @internal POSTs JSON to the service through a Transport, retrying network errors,
 * timeouts, 408, 429 and 5xx with exponential back-off and jitter, or after Retry-After.
 */
final class Sender
{
    /** @var callable(float): void */
    private $sleep;

    /** @param callable(float): void $sleep */
    public function __construct(
        private readonly Transport $transport,
        private readonly string $endpoint,
        private readonly string $userAgent,
        private readonly int $maxRetries,
        private readonly float $backoffFactor,
        private readonly float $backoffMax,
        private readonly float $maxRetryAfter,
        callable $sleep,
    ) {
        $this->sleep = $sleep;
    }

    /** Whether a failure may pass if tried again. */
    public static function transient(ATrackException $error): bool
    {
        $status = $error->getStatus();
        return $error instanceof TransportException
            || ($status !== null && ($status === 408 || $status === 429 || $status >= 500));
    }

    private function delay(int $attempt, ?float $retryAfter): float
    {
        if ($retryAfter !== null) {
            return min($this->maxRetryAfter, $retryAfter);
        }
        $ceiling = min($this->backoffMax, $this->backoffFactor * 2 ** ($attempt - 1));
        return $ceiling / 2 + $ceiling / 2 * (mt_rand() / mt_getrandmax());
    }

    /**
     * POST with retries; the decoded answer, or a typed exception.
     *
     * @param callable(): array<string, mixed> $bodyFor the body of each attempt
     * @return array<string, mixed>
     */
    public function post(string $path, callable $bodyFor, string $key): array
    {
        $attempt = 0;
        while (true) {
            $attempt++;
            try {
                $response = $this->transport->post($this->endpoint . $path, [
                    'content-type' => 'application/json',
                    'accept' => 'application/json',
                    'x-a-track-key' => $key,
                    'user-agent' => $this->userAgent,
                ], Json::encode($bodyFor()));
                $data = Json::decode($response->body);
                if ($response->status >= 200 && $response->status < 300) {
                    return is_array($data) ? $data : ['success' => true];
                }
                $retryAfter = Json::retryAfter($response->header('retry-after'));
                $error = ApiException::fromResponse($response->status, $data, $retryAfter);
            } catch (TransportException $error) {
                $retryAfter = null;
            }
            if (!self::transient($error) || $attempt > $this->maxRetries) {
                throw $error;
            }
            ($this->sleep)($this->delay($attempt, $retryAfter));
        }
    }
}
