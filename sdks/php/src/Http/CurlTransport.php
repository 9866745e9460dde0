<?php

declare(strict_types=1);

namespace ATrack\Http;

use ATrack\Exception\TimeoutException;
use ATrack\Exception\TransportException;

/** The default transport: ext-curl, one handle kept for the connection's reuse. */
final class CurlTransport implements Transport
{
    private ?\CurlHandle $handle = null;

    public function __construct(
        private readonly float $timeout = 10.0,
        private readonly float $connectTimeout = 5.0,
    ) {
    }

    public function post(string $url, array $headers, string $body): Response
    {
        $handle = $this->handle ??= curl_init();
        curl_reset($handle);
        $received = [];
        // Exactly the given headers: an empty value drops one curl would add itself.
        $lines = ['Expect:'];
        foreach (['content-type', 'accept'] as $default) {
            if (!array_key_exists($default, array_change_key_case($headers))) {
                $lines[] = "{$default}:";
            }
        }
        foreach ($headers as $name => $value) {
            $lines[] = "{$name}: {$value}";
        }
        curl_setopt_array($handle, [
            CURLOPT_URL => $url,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_TIMEOUT_MS => (int) ceil($this->timeout * 1000),
            CURLOPT_CONNECTTIMEOUT_MS => (int) ceil(min($this->connectTimeout, $this->timeout) * 1000),
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$received): int {
                $parts = explode(':', $line, 2);
                if (count($parts) === 2) {
                    $received[strtolower(trim($parts[0]))] = trim($parts[1]);
                }
                return strlen($line);
            },
        ]);
        $answer = curl_exec($handle);
        if (!is_string($answer)) {
            $errno = curl_errno($handle);
            $reason = curl_error($handle);
            if ($errno === CURLE_OPERATION_TIMEDOUT) {
                throw new TimeoutException("A-TRACK did not answer within {$this->timeout}s: {$reason}", 'timeout');
            }
            throw new TransportException("A-TRACK request failed: {$reason}", 'network_error');
        }
        return new Response((int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE), $received, $answer);
    }
}
