// The seed tutorial's manifests (shared/seed/service-access-modes.zh.md), byte for byte — comments
// and the leading `---` included — so every test that claims "the seed's YAML works" uses the same text.
export const SEED_MY_NGINX = `apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
    #nodePort: 31703
  - port: 443
    protocol: TCP
    name: https
    #nodePort: 31704
  selector:
    app: nginx
`;
export const SEED_EXAMPLE_SERVICE = `---
kind: Service
apiVersion: v1
metadata:
  name: example-service
spec:
  ports:
  - port: 8765
    targetPort: 9376
  selector:
    app: example
  type: LoadBalancer
`;
export const SEED_EXTERNAL_NAME = `kind: Service
apiVersion: v1
metadata:
  name: my-service
spec:
  type: ExternalName
  externalName: my.database.example.com
`;
export const SEED_EXTERNAL_IPS = `kind: Service
apiVersion: v1
metadata:
  name: my-service
spec:
  selector:
    app: MyApp
  ports:
  - name: http
    protocol: TCP
    port: 80
    targetPort: 9376
  externalIPs:
  - 80.11.12.10
`;

/** The 3-replica `app: nginx` Deployment the issues pair with the seed's my-nginx Service. */
export const NGINX_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        - containerPort: 443
`;
