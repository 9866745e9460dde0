<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 429: too many requests for this key; getRetryAfter() says when to retry. */
class RateLimitException extends ApiException
{
}
