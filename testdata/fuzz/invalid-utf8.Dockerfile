FROM busybox
ENV ÿþ=Ã
à€€ now
