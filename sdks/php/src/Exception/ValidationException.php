<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** 400: the body is not JSON or has invalid fields (see getFields()). */
class ValidationException extends ApiException
{
}
