<?php

declare(strict_types=1);

namespace ATrack\Tests\Live;

use ATrack\Tests\Support\LiveService;
use PHPUnit\Framework\TestCase;

/**
 * The documentation's PHP examples, kept verbatim in tests/snippets, run as written against
 * a live service. Only the key changes; the endpoint comes from ATRACK_ENDPOINT and the
 * placeholders an example assumes ($fullUrl, $knownUuid...) are defined around it.
 */
final class DocSnippetsTest extends TestCase
{
    private const SNIPPETS = ['real_life_1_init', 'real_life_2_read_uuid', 'real_life_3_track', 'init', 'set_attributes', 'track'];
    private const LANDING = 'https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123';

    private static function snippet(string $name): string
    {
        return (string) file_get_contents(__DIR__ . "/../snippets/{$name}.txt");
    }

    /** @return string|null the documentation, beside the checkout (shared/seed) */
    public static function documentation(): ?string
    {
        $root = LiveService::root();
        foreach ([getenv('ATRACK_DOCUMENTATION') ?: null, "{$root}/../shared/seed/a-track-documentation.txt", '/work/shared/seed/a-track-documentation.txt'] as $path) {
            if ($path !== null && is_file($path)) {
                return (string) file_get_contents($path);
            }
        }
        return null;
    }

    /**
     * Run code (snippets, and the test's own lines between them) in one scope with the
     * given variables; return the scope afterwards.
     *
     * @param list<string> $parts
     * @param array<string, mixed> $variables
     * @return array<string, mixed>
     */
    private static function runSnippets(array $parts, array $variables, string $publicKey): array
    {
        $code = implode("\n", $parts);
        $code = str_replace("'your_public_key'", var_export($publicKey, true), $code);
        $before = getenv('ATRACK_ENDPOINT');
        putenv('ATRACK_ENDPOINT=' . LiveService::get()->endpoint); // the snippets name no endpoint
        try {
            return (static function (string $__code, array $__variables): array {
                extract($__variables);
                eval("use ATrack\\ATrackClient;\n" . $__code);
                unset($__code, $__variables);
                return get_defined_vars();
            })($code, $variables);
        } finally {
            putenv($before === false ? 'ATRACK_ENDPOINT' : "ATRACK_ENDPOINT={$before}");
        }
    }

    public function test_the_copies_are_the_documentations_text(): void
    {
        $doc = self::documentation();
        if ($doc === null) {
            $this->markTestSkipped('the documentation (shared/seed) is not beside this checkout');
        }
        foreach (self::SNIPPETS as $name) {
            $this->assertStringContainsString(trim(self::snippet($name)), $doc, "{$name} is no longer the documentation's text");
        }
    }

    public function test_the_real_life_examples_run_as_written(): void
    {
        $service = LiveService::get();
        $fullUrl = 'https://a-track.io/pricing?utm_source=newsletter#plans';
        $scope = self::runSnippets(
            [
                self::snippet('real_life_1_init'),
                '$firstUuid = $sdk->getUserUuid();',
                self::snippet('real_life_2_read_uuid'),
                self::snippet('real_life_3_track'),
            ],
            ['fullUrl' => $fullUrl, 'rawUrl' => '/pricing?utm_source=newsletter'],
            $service->publicKey,
        );
        $reader = $service->client();
        $first = $reader->sessionShow($scope['firstUuid'])['data']['session'];
        $this->assertSame(self::LANDING, $first['url_data']['href']);
        $this->assertSame('https://partner.example.com/blog/first-touch', $first['url_data']['source_url']);
        $this->assertSame('spring-launch', $first['utm_data']['utm_campaign']);
        $this->assertEqualsCanonicalizing(['gclid', 'fbclid', 'fbc'], array_keys($first['click_ids']));
        $this->assertSame('google', $first['source']);

        $generated = $scope['generatedUuid'];
        $this->assertSame($generated, $scope['sdk']->getUserUuid());
        $shown = $reader->sessionShow($generated)['data'];
        $this->assertSame($fullUrl, $shown['session']['url_data']['href']);
        $this->assertCount(1, $shown['events']);
        $this->assertSame('checkout_started', $shown['events'][0]['name']);
        $this->assertSame(['cart_value' => 129.99, 'currency' => 'USD', 'step' => 'payment'], $shown['events'][0]['attributes']);
    }

    public function test_the_reference_examples_run_as_written(): void
    {
        $service = LiveService::get();
        $knownUuid = LiveService::newUuid();
        $scope = self::runSnippets(
            [self::snippet('init'), self::snippet('set_attributes'), self::snippet('track')],
            ['knownUuid' => $knownUuid, 'fullUrl' => 'https://a-track.io/pricing?utm_source=google', 'rawUrl' => '/pricing?utm_source=google'],
            $service->publicKey,
        );
        $this->assertSame($knownUuid, $scope['result']['uuid']);
        $shown = $service->client()->sessionShow($knownUuid)['data'];
        $this->assertSame('/pricing', $shown['session']['url_data']['path']);
        $this->assertSame(['utm_source' => 'google'], $shown['session']['utm_data']);
        $this->assertSame(['plan' => 'pro', 'signup_step' => 'landing'], $shown['attributes']);
        $this->assertSame(
            [['checkout_started', ['cart_value' => 129.99, 'currency' => 'USD']]],
            array_map(static fn (array $e): array => [$e['name'], $e['attributes']], $shown['events']),
        );
    }
}
