<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 403: revoked key, a public key on a read or erase, or an origin not allowed. */
class PermissionDeniedException extends ApiException
{
}
