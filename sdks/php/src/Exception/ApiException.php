<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** The service answered with an error status. */
class ApiException extends ATrackException
{
    private const BY_STATUS = [
        400 => ValidationException::class,
        401 => AuthenticationException::class,
        403 => PermissionDeniedException::class,
        404 => NotFoundException::class,
        413 => PayloadTooLargeException::class,
        429 => RateLimitException::class,
        503 => ServiceUnavailableException::class,
    ];

    /** The typed exception an unsuccessful answer stands for. */
    public static function fromResponse(int $status, mixed $data, ?float $retryAfter = null): self
    {
        $error = is_array($data) && is_array($data['error'] ?? null) ? $data['error'] : [];
        $class = self::BY_STATUS[$status] ?? ($status >= 500 ? ServerException::class : self::class);
        $message = is_string($error['message'] ?? null) && $error['message'] !== ''
            ? $error['message'] : "A-TRACK answered HTTP {$status}.";
        $code = is_string($error['code'] ?? null) ? $error['code'] : "http_{$status}";
        $fields = is_array($error['fields'] ?? null) ? $error['fields'] : [];
        return new $class($message, $code, $status, $fields, $retryAfter, $data);
    }
}
