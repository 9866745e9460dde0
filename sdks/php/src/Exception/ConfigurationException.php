<?php

declare(strict_types=1);

namespace ATrack\Exception;

/** Bad client options: no endpoint, no key, an unknown option. */
class ConfigurationException extends ATrackException
{
}
