<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

use ATrack\ATrackClient;

/**
 * The live A-TRACK service of the `live` and `contract` suites: the contract launcher
 * (sdks/contract/serve.py), started once per run with a pipe on its stdin and stopped by
 * closing it; or the one whose JSON line ATRACK_CONTRACT_SERVICE holds (./check starts
 * one for the whole run).
 */
final class LiveService
{
    private static ?self $instance = null;

    public readonly string $endpoint;
    public readonly string $publicKey;
    public readonly string $secretKey;

    /** @param array<string, mixed> $line the launcher's JSON line */
    private function __construct(public readonly array $line)
    {
        $this->endpoint = (string) $line['endpoint'];
        $this->publicKey = (string) $line['public_key'];
        $this->secretKey = (string) $line['secret_key'];
    }

    public static function root(): string
    {
        return dirname(__DIR__, 4);
    }

    public static function get(): self
    {
        if (self::$instance === null) {
            $given = getenv('ATRACK_CONTRACT_SERVICE');
            $line = is_string($given) && $given !== '' ? json_decode($given, true, 512, JSON_THROW_ON_ERROR) : self::launch();
            self::$instance = new self($line);
        }
        return self::$instance;
    }

    /** @return array<string, mixed> */
    private static function launch(): array
    {
        $python = getenv('ATRACK_PYTHON') ?: self::root() . '/.venv/bin/python';
        $serve = self::root() . '/sdks/contract/serve.py';
        Requirements::require(
            is_executable($python) && is_file($serve),
            "needs the repository's virtualenv ({$python}: source scripts/_venv.sh) and {$serve}",
        );
        $log = tempnam(sys_get_temp_dir(), 'atrack-serve-');
        $process = proc_open([$python, $serve], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $log, 'w']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start serve.py');
        }
        // Closing its stdin stops the launcher and everything it started.
        register_shutdown_function(static function () use ($process, $pipes, $log): void {
            fclose($pipes[0]);
            fclose($pipes[1]);
            proc_close($process);
            @unlink($log);
        });
        $read = [$pipes[1]];
        $none = null;
        $line = stream_select($read, $none, $none, 120) === 1 ? fgets($pipes[1]) : false;
        if (!is_string($line) || $line === '') {
            throw new \RuntimeException('serve.py did not start: ' . file_get_contents($log));
        }
        return json_decode($line, true, 512, JSON_THROW_ON_ERROR);
    }

    /** @param array<string, mixed> $options */
    public function client(array $options = []): ATrackClient
    {
        return new ATrackClient($options + [
            'publicKey' => $this->publicKey,
            'secretKey' => $this->secretKey,
            'endpoint' => $this->endpoint,
        ]);
    }

    public static function newUuid(): string
    {
        $hex = bin2hex(random_bytes(16));
        $hex[12] = '4';
        $hex[16] = 'a';
        return implode('-', [substr($hex, 0, 8), substr($hex, 8, 4), substr($hex, 12, 4), substr($hex, 16, 4), substr($hex, 20)]);
    }
}
