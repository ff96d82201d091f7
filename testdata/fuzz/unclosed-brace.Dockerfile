FROM busybox
ENV a=${a
