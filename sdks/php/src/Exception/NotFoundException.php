<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 404: unknown session (on show and delete) or route. */
class NotFoundException extends ApiException
{
}
