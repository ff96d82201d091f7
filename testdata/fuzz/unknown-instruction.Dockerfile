FROM busybox
FROBNICATE now
