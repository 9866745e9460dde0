<?php

declare(strict_types=1);

namespace ATrack\Tests\Support;

/** PHP's built-in server running router.php on a free loopback port. */
final class ScriptedServer
{
    /** @var resource */
    private $process;

    public readonly string $url;

    public function __construct()
    {
        $port = self::freePort();
        $this->url = "http://127.0.0.1:{$port}";
        $process = proc_open(
            ['setsid', PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/router.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            ['PHP_CLI_SERVER_WORKERS' => '3'] + getenv(),
        );
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start php -S');
        }
        $this->process = $process;
        for ($i = 0; $i < 100; $i++) {
            $socket = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.1);
            if ($socket !== false) {
                fclose($socket);
                return;
            }
            usleep(50_000);
        }
        $this->stop();
        throw new \RuntimeException("php -S did not listen on {$port}");
    }

    public static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0');
        if ($server === false) {
            throw new \RuntimeException('no free port');
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            $status = proc_get_status($this->process);
            // setsid made php -S lead its own process group: its workers go with it.
            if ($status['running']) {
                posix_kill(-$status['pid'], SIGTERM);
                proc_terminate($this->process);
            }
            proc_close($this->process);
        }
    }
}
