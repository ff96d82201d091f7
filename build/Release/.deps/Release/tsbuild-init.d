cmd_Release/tsbuild-init := g++ -o Release/tsbuild-init -pthread -rdynamic -m64  -Wl,--start-group ./Release/obj.target/tsbuild-init/native/init/tsbuild-init.o  -Wl,--end-group
