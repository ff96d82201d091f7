# escape=x
FROM busybox
