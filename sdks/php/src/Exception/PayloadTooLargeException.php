<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 413: body over 64 KiB (512 KiB for /batch) or over 100 batch items. */
class PayloadTooLargeException extends ApiException
{
}
