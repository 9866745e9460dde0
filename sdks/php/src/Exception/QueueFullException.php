<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** Batching: the local queue is full; the oldest write was dropped. */
class QueueFullException extends ATrackException
{
}
