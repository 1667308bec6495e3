# Ringmaster's image for docker-compose.yml (and for a cluster). The jar is built exactly as the README builds it.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src src
COPY workflows workflows
RUN mvn -B -ntp -DskipTests package

FROM eclipse-temurin:17.0.13_11-jre
# Not root: the command deploys and embedded tools refuse or should not run as root.
RUN useradd --system --create-home --uid 10001 ringmaster
WORKDIR /app
COPY --from=build /src/target/ringmaster-0.1.0-SNAPSHOT.jar /app/ringmaster.jar
COPY workflows /app/workflows
RUN mkdir -p /app/var && chown ringmaster /app/var
USER ringmaster
EXPOSE 8080
# `java -jar ringmaster.jar` runs the server; `... cli <command>` the CLI; `... demo-service` / `demo-load` the demo.
# A fixed heap and only the C1 compiler: measured on 2 cores (README, "Worker tuning"; BENCHMARKS.md).
ENTRYPOINT ["java", "-XX:TieredStopAtLevel=1", "-XX:InitialRAMPercentage=75", "-XX:MaxRAMPercentage=75", "-jar", "/app/ringmaster.jar"]
