<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** No HTTP answer: connection refused or reset, DNS failure, timeout. */
class TransportException extends ATrackException
{
}
