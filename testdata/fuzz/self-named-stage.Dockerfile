FROM busybox AS a
FROM a AS a
