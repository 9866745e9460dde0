<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 503: neither the queue nor the database could take the write. */
class ServiceUnavailableException extends ServerException
{
}
