<?php

declare(strict_types=1);

// A PSR-4 autoloader for `ATrack\` => src/, for use without Composer
// (`require 'sdks/php/autoload.php';`). With Composer, vendor/autoload.php does this.
spl_autoload_register(static function (string $class): void {
    $prefix = 'ATrack\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
