<?php

declare(strict_types=1);

// With Composer, its autoloader; without, the SDK's own and Debian's packages of the PSR
// interfaces, Guzzle and Nyholm's PSR-7 (from /usr/share/php, on the include path).
$vendor = __DIR__ . '/../vendor/autoload.php';
if (is_file($vendor)) {
    require $vendor;
} else {
    require __DIR__ . '/../autoload.php';
    foreach (['Psr/Http/Client', 'Psr/Http/Message', 'GuzzleHttp', 'Nyholm/Psr7'] as $package) {
        if (stream_resolve_include_path("{$package}/autoload.php") !== false) {
            require_once "{$package}/autoload.php";
        }
    }
    spl_autoload_register(static function (string $class): void {
        $prefix = 'ATrack\\Tests\\';
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    });
}
