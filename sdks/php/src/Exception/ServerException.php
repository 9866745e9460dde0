<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 5xx: the service failed; retried automatically. */
class ServerException extends ApiException
{
}
