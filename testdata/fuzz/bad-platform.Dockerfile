FROM --platform=$$$/// busybox
