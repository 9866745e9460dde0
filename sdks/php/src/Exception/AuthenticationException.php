<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 401: missing, unknown or expired key. */
class AuthenticationException extends ApiException
{
}
