FROM busybox
RUN --mount=type=frob,target=/x true
