<?php

declare(strict_types=1);

namespace ATrack\Exception;

/**
 * Any failure of an A-TRACK call.
 *
 * getErrorCode() is the service's error code (`invalid_payload`, `rate_limited`...) or the
 * SDK's own (`network_error`, `timeout`, `missing_endpoint`...); getCode() and getStatus()
 * the HTTP status (0 / null when no answer came); getFields() the per-field messages.
 */
class ATrackException extends \RuntimeException
{
    /**
     * @param array<string, list<string>> $fields
     */
    public function __construct(
        string $message,
        private readonly ?string $errorCode = null,
        private readonly ?int $status = null,
        private readonly array $fields = [],
        private readonly ?float $retryAfter = null,
        private readonly mixed $body = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, $status ?? 0, $previous);
    }

    public function getErrorCode(): ?string
    {
        return $this->errorCode;
    }

    public function getStatus(): ?int
    {
        return $this->status;
    }

    /** @return array<string, list<string>> */
    public function getFields(): array
    {
        return $this->fields;
    }

    /** Seconds the service asked to wait (429, 503), or null. */
    public function getRetryAfter(): ?float
    {
        return $this->retryAfter;
    }

    /** The decoded answer, when there was one. */
    public function getBody(): mixed
    {
        return $this->body;
    }
}
