<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** The service did not answer within the client's timeout. */
class TimeoutException extends TransportException
{
}
