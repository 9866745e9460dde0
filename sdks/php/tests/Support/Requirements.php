<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

use PHPUnit\Framework\Assert;

/** A test whose toolchain or service is missing skips locally and fails under CI=true. */
final class Requirements
{
    public static function require(bool $condition, string $reason): void
    {
        if ($condition) {
            return;
        }
        if (getenv('CI') === 'true') {
            Assert::fail("required in CI: {$reason}");
        }
        Assert::markTestSkipped($reason);
    }
}
