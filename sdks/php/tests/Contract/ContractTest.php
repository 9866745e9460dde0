<?php

declare(strict_types=1);

namespace ATrack\Tests\Contract;

use ATrack\Tests\Support\ContractCase;
use ATrack\Tests\Support\LiveService;
use PHPUnit\Framework\TestCase;

/** The language-neutral contract suite (sdks/contract/cases) played by the PHP SDK. */
final class ContractTest extends TestCase
{
    private static function cases(): string
    {
        return LiveService::root() . '/sdks/contract/cases';
    }

    /** @return array<string, array{string}> */
    public function caseFiles(): array
    {
        $files = glob(self::cases() . '/*.json') ?: [];
        sort($files);
        return array_combine(array_map(static fn (string $f): string => basename($f, '.json'), $files), array_map(static fn (string $f): array => [$f], $files));
    }

    public function test_the_suite_is_there(): void
    {
        $this->assertGreaterThanOrEqual(14, count($this->caseFiles()), 'sdks/contract/cases is missing or short');
    }

    /** @dataProvider caseFiles */
    public function test_the_php_sdk_plays_the_case(string $path): void
    {
        try {
            (new ContractCase($path, LiveService::get()->line))->play();
        } catch (\AssertionError $e) {
            $this->fail(basename($path) . ': ' . $e->getMessage());
        }
        $this->addToAssertionCount(1);
    }

    public function test_a_case_expecting_the_wrong_answer_fails(): void
    {
        $wrong = json_decode((string) file_get_contents(self::cases() . '/01-init-without-uuid.json'), false, 512, JSON_THROW_ON_ERROR);
        $wrong->steps[0]->expect->status = 200; // the init really answers 201
        $path = tempnam(sys_get_temp_dir(), 'atrack-case-');
        file_put_contents($path, json_encode($wrong, JSON_THROW_ON_ERROR));
        try {
            (new ContractCase($path, LiveService::get()->line))->play();
            $this->fail('the wrong case passed');
        } catch (\AssertionError $e) {
            $this->assertStringContainsString('expected HTTP 200, got 201', $e->getMessage());
        } finally {
            unlink($path);
        }
    }
}
