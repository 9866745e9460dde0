<?php

declare(strict_types=1);

namespace ATrack\Http;

use ATrack\Exception\ConfigurationException;
use ATrack\Exception\TimeoutException;
use ATrack\Exception\TransportException;
use Psr\Http\Client\ClientExceptionInterface;
use Psr\Http\Client\ClientInterface;
use Psr\Http\Client\NetworkExceptionInterface;
use Psr\Http\Message\RequestFactoryInterface;
use Psr\Http\Message\StreamFactoryInterface;

/**
 * Any PSR-18 client (Guzzle, Symfony's Psr18Client, a mock...) with PSR-17 factories.
 *
 * The factories default to the client itself when it implements them (Symfony's and
 * Buzz's do). Timeouts are the client's own configuration.
 */
final class Psr18Transport implements Transport
{
    private readonly RequestFactoryInterface $requests;
    private readonly StreamFactoryInterface $streams;

    public function __construct(
        private readonly ClientInterface $client,
        ?RequestFactoryInterface $requestFactory = null,
        ?StreamFactoryInterface $streamFactory = null,
    ) {
        $requestFactory ??= $client instanceof RequestFactoryInterface ? $client : null;
        $streamFactory ??= $client instanceof StreamFactoryInterface ? $client : null;
        if ($requestFactory === null || $streamFactory === null) {
            throw new ConfigurationException(
                'httpClient needs a PSR-17 requestFactory and streamFactory (options of the same names)',
                'missing_http_factory',
            );
        }
        $this->requests = $requestFactory;
        $this->streams = $streamFactory;
    }

    public function post(string $url, array $headers, string $body): Response
    {
        $request = $this->requests->createRequest('POST', $url)
            ->withBody($this->streams->createStream($body));
        foreach ($headers as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        try {
            $answer = $this->client->sendRequest($request);
        } catch (NetworkExceptionInterface $e) {
            $timeout = preg_match('/timed? ?out/i', $e->getMessage()) === 1;
            $class = $timeout ? TimeoutException::class : TransportException::class;
            throw new $class('A-TRACK request failed: ' . $e->getMessage(), $timeout ? 'timeout' : 'network_error', previous: $e);
        } catch (ClientExceptionInterface $e) {
            throw new TransportException('A-TRACK request failed: ' . $e->getMessage(), 'network_error', previous: $e);
        }
        $received = [];
        foreach (array_keys($answer->getHeaders()) as $name) {
            $received[strtolower((string) $name)] = $answer->getHeaderLine((string) $name);
        }
        return new Response($answer->getStatusCode(), $received, (string) $answer->getBody());
    }
}
