<?php

declare(strict_types=1);

namespace ATrack\Http;

use ATrack\Exception\TransportException;

/** Sends one POST and returns the answer, whatever its status. */
interface Transport
{
    /**
     * @param array<string, string> $headers
     * @throws TransportException when no HTTP answer came (TimeoutException for a timeout)
     */
    public function post(string $url, array $headers, string $body): Response;
}
